package schemaless

import (
	"sync"
	"sync/atomic"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// logEntry is one committed cell in a shard's change log.
type logEntry struct {
	row [storage.KeyLen]byte
	col string
	ref uint64
}

// shard is one storage node: its cells, the buffer table it keeps for other
// shards, and its change log.
type shard struct {
	id     int
	mu     sync.Mutex // orders commits with log appends; guards the scratch buffers
	data   storage.KV
	buffer storage.KV
	kbuf   []byte
	vbuf   []byte
	bufSeq uint64

	log      []logEntry // entries from offset base
	base     uint64
	end      atomic.Uint64 // log end offset
	consumed atomic.Uint64 // trigger consumer's committed offset
	pending  atomic.Int64  // cells buffered for this shard on its secondary
	wake     chan struct{}

	// written by commit, read by the exactly-once check
	refSum, refXor uint64
	// written by the consumer only
	seenN, seenSum, seenXor uint64
}

// commit stores a cell and appends it to the change log; it returns the
// lag (cells not yet consumed) just after the append.
func (s *shard) commit(row []byte, col string, ref uint64, flag byte, body []byte) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kbuf = cellKey(s.kbuf[:0], row, col, ref)
	s.vbuf = append(append(s.vbuf[:0], flag), body...)
	if err := s.data.Put(s.kbuf, s.vbuf); err != nil {
		return 0, err
	}
	var e logEntry
	copy(e.row[:], row)
	e.col, e.ref = col, ref
	s.log = append(s.log, e)
	s.refSum += ref
	s.refXor ^= ref
	end := s.end.Add(1)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return end - s.consumed.Load(), nil
}

// next copies up to len(dst) unconsumed entries; t.mu is taken briefly.
func (s *shard) next(dst []logEntry) []logEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := s.consumed.Load() - s.base
	if from > uint64(len(s.log))/2 && from > 4096 {
		// trim the consumed prefix: the log is in-process and bounded by lag
		s.log = append(s.log[:0], s.log[from:]...)
		s.base += from
		from = 0
	}
	return append(dst[:0], s.log[from:min(uint64(len(s.log)), from+uint64(cap(dst)))]...)
}
