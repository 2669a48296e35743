package coordination

import (
	"slices"
	"testing"
)

// The znode tree against the paper's definitions: versions count updates,
// sequential children keep their order, watches are one-shot, an ephemeral
// node dies with its session, and the lock recipe watches only the
// predecessor.
func TestTree(t *testing.T) {
	tr := NewTree()
	if tr.Version(7) != 0 {
		t.Fatal("absent node has a version")
	}
	tr.WatchData(7, 100)
	tr.WatchData(7, 101)
	v, fired := tr.SetData(7, nil)
	if v != 1 || !slices.Equal(fired, []Watcher{100, 101}) {
		t.Fatalf("create: version %d fired %v", v, fired)
	}
	v, fired = tr.SetData(7, nil)
	if v != 2 || len(fired) != 0 {
		t.Fatalf("second set: version %d fired %v (watches are one-shot)", v, fired)
	}

	for seq, sess := range map[uint64]int64{1: 11, 2: 12, 3: 13} {
		_ = seq
		_ = sess
	}
	tr.CreateSeq(5, 1, 11)
	tr.CreateSeq(5, 2, 12)
	tr.CreateSeq(5, 3, 13)
	if got := tr.Children(5); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("children %v", got)
	}
	if held, ok := tr.LockCheck(5, 1, 201); !held || !ok {
		t.Fatal("lowest child does not hold")
	}
	if held, ok := tr.LockCheck(5, 3, 203); held || !ok {
		t.Fatal("third child holds")
	}
	if held, ok := tr.LockCheck(5, 2, 202); held || !ok {
		t.Fatal("second child holds")
	}
	if _, ok := tr.LockCheck(5, 9, 209); ok {
		t.Fatal("a missing child exists")
	}
	// Deleting 1 wakes only 2 (the herd stays asleep).
	ok, fired := tr.Delete(5, 1, nil)
	if !ok || !slices.Equal(fired, []Watcher{202}) {
		t.Fatalf("delete 1: %v fired %v, want only the successor 202", ok, fired)
	}
	// Session 12 expires: its node goes and 3, watching it, wakes.
	n, fired := tr.CloseSession(12, nil)
	if n != 1 || !slices.Equal(fired, []Watcher{203}) {
		t.Fatalf("close session: %d nodes, fired %v", n, fired)
	}
	if held, _ := tr.LockCheck(5, 3, 203); !held {
		t.Fatal("last child does not hold after the others left")
	}
	if ok, _ := tr.Delete(5, 1, nil); ok {
		t.Fatal("deleted a node twice")
	}
	if n, _ := tr.CloseSession(12, nil); n != 0 {
		t.Fatal("a closed session still owns nodes")
	}
}
