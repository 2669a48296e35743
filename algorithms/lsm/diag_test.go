package lsm

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// debugWhere describes where each source holds key, for failure messages.
func (db *DB) debugWhere(key []byte) string {
	mem, imm, v := db.readState()
	defer db.unrefVersion(v)
	var b strings.Builder
	for i, m := range []*skiplist{mem, imm} {
		if m == nil {
			continue
		}
		if val, _, ok := m.get(key); ok {
			fmt.Fprintf(&b, "mem%d:%d ", i, binary.BigEndian.Uint64(val))
		}
	}
	h := bloomHash(key)
	for i, f := range v.l0 {
		val, _, found, cons, err := f.t.get(key, h)
		it := &tableIter{t: f.t}
		var scanned uint64
		for it.SeekGE(key); it.Valid(); it.Next() {
			if string(it.Key()) == string(key) {
				scanned = binary.BigEndian.Uint64(it.Value())
			}
			break
		}
		r := uint64(0)
		if found {
			r = binary.BigEndian.Uint64(val)
		}
		fmt.Fprintf(&b, "L0[%d]#%d contains=%v get=%v/%v/%d err=%v scan=%d [%s..%s]; ", i, f.num, f.contains(key), found, cons, r, err, scanned, f.smallest, f.largest)
	}
	for l, run := range v.levels {
		if f := findFile(run, key); f != nil {
			val, _, found, cons, err := f.t.get(key, h)
			r := uint64(0)
			if found {
				r = binary.BigEndian.Uint64(val)
			}
			fmt.Fprintf(&b, "L%d#%d get=%v/%v/%d err=%v; ", l+1, f.num, found, cons, r, err)
		}
	}
	return b.String()
}
