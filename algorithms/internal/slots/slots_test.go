package slots

import (
	"math/rand/v2"
	"testing"
)

// Against a reference: random takes and puts never hand out a record in
// use, reuse freed records before growing, and the slice only grows to the
// peak number in use.
func TestTakePutReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var f Free
	var items []int
	inUse := map[int32]bool{}
	peak := 0
	for step := range 100000 {
		if len(inUse) > 0 && r.IntN(2) == 0 {
			for i := range inUse { // any one
				delete(inUse, i)
				items[i] = -1
				f.Put(i)
				break
			}
			continue
		}
		freed := f.Len()
		i := Take(&f, &items)
		if inUse[i] {
			t.Fatalf("step %d: record %d handed out while in use", step, i)
		}
		if freed > 0 && items[i] != -1 {
			t.Fatalf("step %d: a free record existed but %d was not one (contents %d)", step, i, items[i])
		}
		if freed == 0 && int(i) != len(items)-1 {
			t.Fatalf("step %d: no free record, want the appended one, got %d of %d", step, i, len(items))
		}
		inUse[i] = true
		items[i] = step
		peak = max(peak, len(inUse))
		if len(items) != peak {
			t.Fatalf("step %d: %d records for a peak of %d in use", step, len(items), peak)
		}
		if len(items)-f.Len() != len(inUse) {
			t.Fatalf("step %d: %d records, %d free, %d in use", step, len(items), f.Len(), len(inUse))
		}
	}
}

// The steady state allocates nothing.
func TestTakePutNoAlloc(t *testing.T) {
	var f Free
	var items []struct{ a, b int64 }
	f.Put(Take(&f, &items))
	if a := testing.AllocsPerRun(1000, func() { f.Put(Take(&f, &items)) }); a != 0 {
		t.Fatalf("take+put allocates %.1f times", a)
	}
}
