package bigtable

import (
	"os"
)

// majorCompact rewrites tab's live rows in range into a fresh engine and
// deletes the old one: no deletion and no row left by a split survives, and
// no cell version the families' GC rules drop (cell.go).
// Called with t.mu read-held; writers to this tablet wait on tab.mu.
func (t *Table) majorCompact(tab *tablet) error {
	if !tab.compacting.CompareAndSwap(false, true) {
		return nil // another writer is compacting it
	}
	defer tab.compacting.Store(false)
	tab.mu.Lock()
	defer tab.mu.Unlock()
	old, oldDir := tab.db, tab.dir
	if err := t.openEngine(tab); err != nil {
		tab.db, tab.dir = old, oldDir
		return err
	}
	var live, gcd, gcdBytes int64
	var err error
	var g gcRule
	g.reset(t.opts.Families, t.now())
	serr := tab.scanRangeOf(old, tab.start, func(k, v []byte) bool {
		if t.cellMode() {
			if _, keep := g.rank(k); !keep {
				gcd++
				gcdBytes += int64(len(k) + len(v))
				return true
			}
		}
		if err = tab.db.Put(k, v); err != nil {
			return false
		}
		live += int64(len(k) + len(v))
		return true
	})
	if err == nil {
		err = serr
	}
	if err == nil {
		err = flush(tab.db)
	}
	if err != nil {
		tab.db.Close()
		os.RemoveAll(tab.dir)
		tab.db, tab.dir = old, oldDir
		return err
	}
	t.retire(old)
	os.RemoveAll(oldDir)
	tab.size.Store(live)
	tab.sinceMajor.Store(0)
	t.majors.Add(1)
	t.majorBytes.Add(live)
	t.gcd.Add(gcd)
	t.gcdBytes.Add(gcdBytes)
	return nil
}

// flusher is an engine that can force a minor compaction.
type flusher interface{ Flush() error }

func flush(db any) error {
	if f, ok := db.(flusher); ok {
		return f.Flush()
	}
	return nil
}

// CompactAll major-compacts every tablet now (applying the GC rules).
func (t *Table) CompactAll() error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, tab := range t.tablets {
		if err := t.majorCompact(tab); err != nil {
			return err
		}
	}
	return nil
}
