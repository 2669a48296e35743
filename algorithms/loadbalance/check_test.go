package loadbalance

import (
	"strings"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
)

func lookupInfo(t *testing.T, policy string) *algorithms.Info {
	t.Helper()
	info, err := algorithms.Lookup("loadbalance/" + policy)
	if err != nil {
		t.Fatal(err)
	}
	if info.Check == nil {
		t.Fatalf("loadbalance/%s has no Check", policy)
	}
	return info
}

// Combinations that no single parameter's range catches fail Resolve (the
// CLI's bad input, exit 2), not construction (a failed run, exit 1), and the
// error names the bad value and what is valid.
func TestResolveRejectsBadCombinations(t *testing.T) {
	type bad struct {
		raw  map[string]string
		want []string // every one must appear in the error
	}
	every := []bad{
		{map[string]string{"crash": "10"}, []string{"crash=", `"10"`, "backends=10", "valid"}},
		{map[string]string{"fail": "10"}, []string{"crash=", `"10"`, "backends=10", "valid"}}, // the old name
		{map[string]string{"crash": "leader"}, []string{"crash=", "no leader", "random"}},
		{map[string]string{"fail": "1", "crash": "2"}, []string{"fail is the old name of crash"}},
		{map[string]string{"slow": "11"}, []string{"slow=11", "backends=10", "valid"}},
		{map[string]string{"weights": "0:0:0:0:0:0:0:0:0:0"}, []string{"weights", "weight 0", "valid"}},
		{map[string]string{"weights": "1:2"}, []string{`weights="1:2"`, "2 weights for 10 backends", "one per backend"}},
		{map[string]string{"crash": "3", "crash_at": "2s", "restart_at": "1s"}, []string{"restart_at=1s", "crash_at=2s", "valid"}},
		{map[string]string{"fail": "3", "fail_at": "2s", "recover_at": "2s"}, []string{"restart_at=2s", "crash_at=2s", "valid"}},
		{map[string]string{"crash": "random", "crash_at": "2s", "restart_at": "2s"}, []string{"restart_at=2s", "crash_at=2s", "valid"}},
	}
	for _, policy := range Policies {
		cases := every
		if policy == "bounded-hash" {
			cases = append(cases[:len(cases):len(cases)],
				bad{map[string]string{"c": "1"}, []string{"c=1", "above 1", "valid"}},
				bad{map[string]string{"backends": "65536", "vnodes": "1000"}, []string{"backends=65536", "vnodes=1000", "ring points"}},
			)
		}
		info := lookupInfo(t, policy)
		for _, c := range cases {
			_, err := info.Resolve(c.raw)
			if err == nil {
				t.Errorf("loadbalance/%s %v: Resolve accepted it", policy, c.raw)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("loadbalance/%s %v: Resolve: %v; want it to mention %q", policy, c.raw, err, w)
				}
			}
		}
	}
}

// The defaults, and combinations at the edge of valid, resolve and build.
func TestResolveAcceptsValid(t *testing.T) {
	for _, policy := range Policies {
		info := lookupInfo(t, policy)
		for _, raw := range []map[string]string{
			nil,
			{"fail": "9", "slow": "10"},
			{"weights": "0:0:0:0:0:0:0:0:0:1"},
			{"fail": "3", "fail_at": "1s", "recover_at": "2s"},
			{"crash": "random", "crash_at": "1s", "restart_at": "2s"},
			{"crash": "none", "crash_at": "2s", "restart_at": "1s"}, // no fault: the times are unused
			{"fail": "-1", "fail_at": "2s", "recover_at": "1s"},     // no fault: the times are unused
		} {
			p, err := info.Resolve(raw)
			if err != nil {
				t.Errorf("loadbalance/%s %v: %v", policy, raw, err)
				continue
			}
			if _, err := info.NewSim(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Virtual, Workers: 1}); err != nil {
				t.Errorf("loadbalance/%s %v: resolved but NewSim failed: %v", policy, raw, err)
			}
		}
	}
}
