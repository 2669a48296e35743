package schemaless

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// secondary is the shard that buffers writes for shard i.
func (st *Store) secondary(i int) int { return (i + 1) % len(st.shards) }

// bufferWrite stores a cell for down shard i in its secondary's buffer
// table under [i][seq], the value holding the cell key and body.
func (st *Store) bufferWrite(i int, row []byte, col string, ref uint64, flag byte, body []byte) error {
	j := st.secondary(i)
	if st.down(j) {
		return fmt.Errorf("schemaless: shard %d and its secondary %d are both down", i, j)
	}
	s := st.shards[j]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bufSeq++
	var kb [9]byte
	kb[0] = byte(i)
	binary.BigEndian.PutUint64(kb[1:], s.bufSeq)
	ck := cellKey(nil, row, col, ref)
	v := append([]byte{byte(len(ck))}, ck...)
	v = append(append(v, flag), body...)
	if err := s.buffer.Put(kb[:], v); err != nil {
		return err
	}
	st.shards[i].pending.Add(1)
	st.buffered.Add(1)
	return nil
}

// maybeDrain copies the cells buffered for shard i back into it once it is
// up again.
func (st *Store) maybeDrain(i int) error {
	if st.shards[i].pending.Load() == 0 {
		return nil
	}
	return st.drainShard(i)
}

func (st *Store) drainShard(i int) error {
	st.drain.Lock()
	defer st.drain.Unlock()
	s := st.shards[i]
	if s.pending.Load() == 0 {
		return nil
	}
	sec := st.shards[st.secondary(i)]
	type held struct{ bkey, val []byte }
	var cells []held
	err := sec.buffer.Scan([]byte{byte(i)}, 0, func(k, v []byte) bool {
		if k[0] != byte(i) {
			return false
		}
		cells = append(cells, held{bytes.Clone(k), bytes.Clone(v)})
		return true
	})
	if err != nil {
		return err
	}
	for _, c := range cells {
		ck := c.val[1 : 1+c.val[0]]
		rest := c.val[1+c.val[0]:]
		n := len(ck)
		col := string(ck[storage.KeyLen : n-9])
		lag, err := s.commit(ck[:storage.KeyLen], col, refOf(ck), rest[0], rest[1:])
		if err != nil {
			return err
		}
		st.noteLag(lag)
		if err := sec.buffer.Delete(c.bkey); err != nil {
			return err
		}
		s.pending.Add(-1)
		st.drained.Add(1)
	}
	return nil
}
