package bigtable

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// tablet is one row range [start, end) and the engine that stores it. end
// nil means the end of the row space.
type tablet struct {
	id         int
	start, end []byte
	server     int

	mu  sync.RWMutex // write-held only while a major compaction swaps db
	db  storage.KV
	dir string

	size       atomic.Int64 // bytes, as the package doc defines a tablet's size
	sinceMajor atomic.Int64 // bytes written since the last major compaction
	writes     atomic.Int64 // ops served, for the balancer
	compacting atomic.Bool
	recovering atomic.Bool // reassigned from a dead server, being reopened from its log
}

// contains reports whether key falls in the tablet's range.
func (t *tablet) contains(key []byte) bool {
	return bytes.Compare(key, t.start) >= 0 && (t.end == nil || bytes.Compare(key, t.end) < 0)
}

// scanRange visits up to limit of the tablet's live rows >= from inside its
// range; stopped reports that fn asked to stop.
func (t *tablet) scanRange(from []byte, limit int, fn func(k, v []byte) bool) (n int, stopped bool, err error) {
	err = t.scanRangeOf(t.db, from, func(k, v []byte) bool {
		if !fn(k, v) {
			stopped = true
			return false
		}
		n++
		return limit <= 0 || n < limit
	})
	return n, stopped, err
}

// scanRangeOf visits db's rows >= from that fall inside the tablet's range,
// until fn returns false.
func (t *tablet) scanRangeOf(db storage.KV, from []byte, fn func(k, v []byte) bool) error {
	if bytes.Compare(from, t.start) < 0 {
		from = t.start
	}
	return db.Scan(from, 0, func(k, v []byte) bool {
		if t.end != nil && bytes.Compare(k, t.end) >= 0 {
			return false
		}
		return fn(k, v)
	})
}
