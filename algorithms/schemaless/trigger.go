package schemaless

import (
	"fmt"
)

// consume is shard s's trigger consumer: it follows the change log, reads
// every cell back from the shard and commits its offset, until stop closes
// and the log is drained.
func (st *Store) consume(s *shard) {
	defer st.wg.Done()
	batch := make([]logEntry, 0, 256)
	var key, val []byte
	for {
		stopping := false
		select {
		case <-s.wake:
		case <-st.stop:
			stopping = true
		}
		for {
			batch = s.next(batch)
			if len(batch) == 0 {
				break
			}
			for _, e := range batch {
				key = cellKey(key[:0], e.row[:], e.col, e.ref)
				var found bool
				var err error
				val, found, err = s.data.Get(key, val[:0])
				if err != nil || !found {
					st.noteTriggerErr(fmt.Errorf("schemaless: trigger on shard %d: cell ref %d unreadable (found=%v): %v", s.id, e.ref, found, err))
				}
				s.seenN++
				s.seenSum += e.ref
				s.seenXor ^= e.ref
				s.consumed.Add(1)
				st.triggered.Add(1)
			}
		}
		if stopping {
			return
		}
	}
}
