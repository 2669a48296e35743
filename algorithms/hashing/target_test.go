package hashing

import (
	"strings"
	"sync"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

var targetNames = []string{"ring", "jump", "rendezvous", "maglev", "bounded", "multiprobe", "mod"}

func newTestTarget(t *testing.T, name string, raw map[string]string) (harness.Target, error) {
	t.Helper()
	info, err := algorithms.Lookup("hashing/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := info.Resolve(raw)
	if err != nil {
		return nil, err
	}
	return info.NewWall(algorithms.Env{Params: p, Seed: 99, Clock: algorithms.Wall, Workers: 4})
}

// Every target serves ops from several workers at once (run with -race),
// reports its owner as the shard, and reports the family figures.
func TestTargetsConcurrentAndMetrics(t *testing.T) {
	for _, name := range targetNames {
		t.Run(name, func(t *testing.T) {
			tg, err := newTestTarget(t, name, map[string]string{"nodes": "8"})
			if err != nil {
				t.Fatal(err)
			}
			counts := make([][8]int, 4)
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					op := workloads.Op{}
					for i := 0; i < 2000; i++ {
						op.Key = uint64(i % 500)
						o := tg.Do(0, &op)
						if o.Err != nil || o.Shard < 0 || o.Shard >= 8 {
							t.Errorf("Do = %+v", o)
							return
						}
						counts[w][o.Shard]++
					}
				}(w)
			}
			wg.Wait()
			m := tg.(harness.Metricser).Metrics()
			for _, k := range []string{"keys_moved_add", "keys_moved_remove", "ideal_moved", "lookup_ns", "memory_bytes", "sample_max_mean"} {
				if _, ok := m[k]; !ok {
					t.Errorf("metric %s missing (have %v)", k, m)
				}
			}
			if m["ideal_moved"] != 1.0/9 {
				t.Errorf("ideal_moved = %v", m["ideal_moved"])
			}
			if name == "bounded" {
				// 8000 placements over 8 nodes with c = 1.25: at most 1250 each.
				for s := 0; s < 8; s++ {
					total := 0
					for w := range counts {
						total += counts[w][s]
					}
					if total > 1250 {
						t.Errorf("bounded: node %d served %d ops > ⌈1.25·8000/8⌉", s, total)
					}
				}
			}
		})
	}
}

func TestTargetRejectsBadParams(t *testing.T) {
	for _, c := range []struct {
		name string
		raw  map[string]string
		want string
	}{
		{"maglev", map[string]string{"table": "65536"}, "not prime"},
		{"maglev", map[string]string{"nodes": "100", "table": "97"}, "smaller"},
		{"ring", map[string]string{"nodes": "3", "weights": "1:2"}, "2 weights for 3 nodes"},
		{"ring", map[string]string{"weights": "0:0:0:0:0:0:0:0:0:0"}, "weight 0"},
		{"rendezvous", map[string]string{"nodes": "2", "weights": "1|2"}, "not a weight"},
		{"bounded", map[string]string{"c": "1"}, "above 1"},
		{"ring", map[string]string{"hash": "md5"}, "xxhash|fnv|murmur3"},
		{"ring", map[string]string{"nodes": "65536", "vnodes": "1000"}, "ring points"},
	} {
		_, err := newTestTarget(t, c.name, c.raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: err = %v, want it to mention %q", c.name, c.raw, err, c.want)
		}
	}
}

// With weights, vnodes is the points of a node of mean weight, and the
// membership figures sit next to the weighted ideals: scaling every weight
// changes nothing, and removing a node of weight 3 out of 6 moves half.
func TestTargetWeightedMembership(t *testing.T) {
	for _, c := range []struct {
		weights           string
		idealAdd, idealRm float64
	}{
		{"1:1:1:1", 1.0 / 5, 1.0 / 4},
		{"2:2:2:2", 1.0 / 5, 1.0 / 4},
		{"1:1:1:3", 1.0 / 5, 3.0 / 6},
	} {
		for _, raw := range []map[string]string{
			{"nodes": "4", "weights": c.weights, "vnodes": "1000"},
			{"nodes": "4", "weights": c.weights},
		} {
			name := "ring"
			if _, ok := raw["vnodes"]; !ok {
				name = "rendezvous"
			}
			tg, err := newTestTarget(t, name, raw)
			if err != nil {
				t.Fatal(err)
			}
			m := tg.(harness.Metricser).Metrics()
			if p := m["ring_points"]; name == "ring" && (p < 3998 || p > 4002) {
				t.Errorf("ring weights=%s: %v points, want 4000 ± rounding (1000 per node of mean weight)", c.weights, p)
			}
			if m["ideal_moved"] != c.idealAdd || m["ideal_moved_remove"] != c.idealRm {
				t.Errorf("%s weights=%s: ideal %v / %v, want %v / %v", name, c.weights, m["ideal_moved"], m["ideal_moved_remove"], c.idealAdd, c.idealRm)
			}
			if d := m["keys_moved_add"] - c.idealAdd; d > 0.03 || d < -0.03 {
				t.Errorf("%s weights=%s: keys_moved_add %v, ideal %v", name, c.weights, m["keys_moved_add"], c.idealAdd)
			}
			if d := m["keys_moved_remove"] - c.idealRm; d > 0.03 || d < -0.03 {
				t.Errorf("%s weights=%s: keys_moved_remove %v, ideal %v", name, c.weights, m["keys_moved_remove"], c.idealRm)
			}
		}
	}
}
