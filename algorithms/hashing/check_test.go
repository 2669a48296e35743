package hashing

import (
	"strings"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
)

func lookupInfo(t *testing.T, name string) *algorithms.Info {
	t.Helper()
	info, err := algorithms.Lookup("hashing/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if info.Check == nil {
		t.Fatalf("hashing/%s has no Check", name)
	}
	return info
}

// Combinations that no single parameter's range catches fail Resolve (the
// CLI's bad input, exit 2), not construction (a failed run, exit 1), and the
// error names the bad value and what is valid.
func TestResolveRejectsBadCombinations(t *testing.T) {
	for _, c := range []struct {
		name string
		raw  map[string]string
		want []string // every one must appear in the error
	}{
		// `dsbench run hashing/maglev -p table=65536` exits 2 through this.
		{"maglev", map[string]string{"table": "65536"}, []string{"table=65536", "not prime", "valid"}},
		{"maglev", map[string]string{"nodes": "100", "table": "97"}, []string{"table=97", "100 nodes", "valid"}},
		// table = nodes fits, but the keys_moved_add figure adds a node.
		{"maglev", map[string]string{"nodes": "11", "table": "11"}, []string{"table=11", "nodes=11", "keys_moved_add"}},
		{"ring", map[string]string{"weights": "1:2"}, []string{"weights", "2 weights for 10 nodes", "valid"}},
		{"rendezvous", map[string]string{"weights": "1:2"}, []string{"weights", "2 weights for 10 nodes", "valid"}},
		{"ring", map[string]string{"nodes": "3", "weights": "0:0:0"}, []string{"weights", "weight 0", "valid"}},
		{"rendezvous", map[string]string{"nodes": "2", "weights": "1|2"}, []string{"weights=", "not a weight", "valid"}},
		{"bounded", map[string]string{"c": "1"}, []string{"c=1", "above 1", "valid"}},
		{"ring", map[string]string{"nodes": "65536", "vnodes": "1000"}, []string{"vnodes=1000", "ring points", "valid"}},
		{"bounded", map[string]string{"nodes": "65536", "vnodes": "1000"}, []string{"vnodes=1000", "ring points", "valid"}},
		// 20000 × 1000 is exactly the cap; the joining node goes over.
		{"ring", map[string]string{"nodes": "20000", "vnodes": "1000"}, []string{"vnodes=1000", "nodes=20000", "keys_moved_add"}},
	} {
		info := lookupInfo(t, c.name)
		_, err := info.Resolve(c.raw)
		if err == nil {
			t.Errorf("hashing/%s %v: Resolve accepted it", c.name, c.raw)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("hashing/%s %v: Resolve: %v; want it to mention %q", c.name, c.raw, err, w)
			}
		}
	}
}

// The defaults, and combinations at the edge of valid, resolve and build.
func TestResolveAcceptsValid(t *testing.T) {
	for _, name := range targetNames {
		if _, err := lookupInfo(t, name).Resolve(nil); err != nil {
			t.Errorf("hashing/%s defaults: %v", name, err)
		}
	}
	for _, c := range []struct {
		name string
		raw  map[string]string
	}{
		{"maglev", map[string]string{"nodes": "10", "table": "11"}},
		{"bounded", map[string]string{"nodes": "4", "c": "1.01"}},
		{"ring", map[string]string{"nodes": "3", "weights": "0:0:1"}},
		{"rendezvous", map[string]string{"nodes": "3", "weights": "1:2:3"}},
	} {
		if _, err := newTestTarget(t, c.name, c.raw); err != nil {
			t.Errorf("hashing/%s %v: %v", c.name, c.raw, err)
		}
	}
}
