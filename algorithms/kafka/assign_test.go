package kafka

import (
	"fmt"
	"testing"
)

func render(a map[string][]TopicPartition) string {
	s := ""
	for _, m := range sortedMembers(keys(a)) {
		s += m + ":"
		for _, tp := range a[m] {
			s += " " + tp.String()
		}
		s += "; "
	}
	return s
}

func keys(a map[string][]TopicPartition) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	return ks
}

// The examples of the assignors' Javadoc: two consumers C0 and C1, two
// topics t0 and t1 of three partitions each.
func TestAssignorsJavadocExamples(t *testing.T) {
	topics := map[string]int{"t0": 3, "t1": 3}
	members := []string{"C1", "C0"} // order given does not matter
	if got, want := render(RangeAssign(members, topics)), "C0: t0-0 t0-1 t1-0 t1-1; C1: t0-2 t1-2; "; got != want {
		t.Errorf("range: %s, want %s", got, want)
	}
	if got, want := render(RoundRobinAssign(members, topics)), "C0: t0-0 t0-2 t1-1; C1: t0-1 t1-0 t1-2; "; got != want {
		t.Errorf("round-robin: %s, want %s", got, want)
	}
}

// Range: contiguous blocks, the first P%C members one more; round-robin:
// interleaved. Both: every partition exactly once.
func TestAssignorsProperties(t *testing.T) {
	for p := 1; p <= 13; p++ {
		for c := 1; c <= 6; c++ {
			var ms []string
			for i := 0; i < c; i++ {
				ms = append(ms, fmt.Sprintf("m%02d", i))
			}
			rg := RangeAssign(ms, map[string]int{"t": p})
			next := 0
			for i, m := range ms {
				want := p / c
				if i < p%c {
					want++
				}
				if len(rg[m]) != want {
					t.Fatalf("range p=%d c=%d: %s has %d, want %d", p, c, m, len(rg[m]), want)
				}
				for _, tp := range rg[m] {
					if tp.Partition != next {
						t.Fatalf("range p=%d c=%d: not contiguous: %s", p, c, render(rg))
					}
					next++
				}
			}
			rr := RoundRobinAssign(ms, map[string]int{"t": p})
			seen := 0
			for i, m := range ms {
				for j, tp := range rr[m] {
					if tp.Partition != i+j*c {
						t.Fatalf("round-robin p=%d c=%d: %s", p, c, render(rr))
					}
					seen++
				}
			}
			if next != p || seen != p {
				t.Fatalf("p=%d c=%d: assigned %d and %d partitions", p, c, next, seen)
			}
		}
	}
	if _, err := Assign("sticky", []string{"a"}, map[string]int{"t": 1}); err == nil {
		t.Error("unknown assignor accepted")
	}
}
