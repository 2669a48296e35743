package mapreduce

import (
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

func cfgOf(t testing.TB, raw map[string]string) Config {
	t.Helper()
	return ConfigFrom(algotest.Params(t, "mapreduce/job", raw))
}

func run(t testing.TB, c *Cluster, spec string, ops, seed uint64) *harness.Report {
	t.Helper()
	return algotest.RunTarget(t, c, algotest.Spec(t, spec), algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed, Shards: 20})
}

// Every job's output is word count's reference answer: each word of the
// input counted exactly once, in the partition hash(word) mod R, and in no
// other — with and without the combiner, with backups racing stragglers.
func TestWordCountExactlyOnce(t *testing.T) {
	for _, comb := range []string{"false", "true"} {
		cfg := cfgOf(t, map[string]string{"combiner": comb, "straggler_frac": "0.2", "records": "20", "maps": "12", "reduces": "5", "workers": "6"})
		c, err := NewCluster(cfg, 9)
		if err != nil {
			t.Fatal(err)
		}
		jobs := 0
		c.OnJobDone = func(o *Output) { jobs++; checkWordCount(t, c, o) }
		rep := run(t, c, Workload, 60, 3)
		m := rep.Metrics
		if jobs != 60 || rep.Ops != 60 || rep.Errors != 0 || m["backup_tasks"] == 0 || m["killed"] == 0 {
			t.Errorf("combiner=%s: jobs %d ops %d errors %d metrics %v", comb, jobs, rep.Ops, rep.Errors, m)
		}
	}
}

// checkWordCount compares a job's output with word count's reference
// answer: each word of the input counted exactly once, in the partition
// hash(word) mod R, and in no other.
func checkWordCount(t *testing.T, c *Cluster, o *Output) {
	t.Helper()
	cfg := c.cfg
	ref := map[uint64]int64{}
	var n int64
	for m := 0; m < cfg.Maps; m++ {
		Input(c.words, o.Seed, m, cfg.Records, cfg.LineWords, func(w uint64) { ref[w]++; n++ })
	}
	if o.InputWords != n || n != int64(cfg.Maps*cfg.Records*cfg.LineWords) {
		t.Fatalf("input words %d, reference %d", o.InputWords, n)
	}
	seen := 0
	for r, part := range o.Partitions {
		for w, cnt := range part {
			if Partition(w, cfg.Reduces) != r {
				t.Fatalf("word %d in partition %d, hash mod R = %d", w, r, Partition(w, cfg.Reduces))
			}
			if ref[w] != cnt {
				t.Fatalf("word %d counted %d, reference %d", w, cnt, ref[w])
			}
			seen++
		}
	}
	if seen != len(ref) {
		t.Fatalf("%d words reduced, reference has %d", seen, len(ref))
	}
}

// hash(key) mod R spreads the words evenly: each of R partitions gets
// about 1/R of 100,000 distinct words.
func TestPartitionHashModR(t *testing.T) {
	const R, n = 7, 100000
	var cnt [R]int
	for w := uint64(0); w < n; w++ {
		p := Partition(w, R)
		if p != Partition(w, R) {
			t.Fatal("not a function")
		}
		cnt[p]++
	}
	for r, c := range cnt {
		if c < n/R*95/100 || c > n/R*105/100 {
			t.Errorf("partition %d has %d of %d words", r, c, n)
		}
	}
	// FNV-1a 64 of "0" is 0xaf63ad4c86019caf.
	if Partition(0, 1<<20) != int(uint64(0xaf63ad4c86019caf)%(1<<20)) {
		t.Error("hash of \"0\" is not FNV-1a")
	}
}

// The combiner shrinks the shuffle: under Zipf words a map task's 500
// words hold far fewer distinct ones; it does not change the answer's
// size (input words) or the reducers' total counts.
func TestCombinerShrinksShuffle(t *testing.T) {
	var bytes [2]float64
	for i, comb := range []string{"false", "true"} {
		c, _ := NewCluster(cfgOf(t, map[string]string{"combiner": comb}), 1)
		m := run(t, c, Workload, 30, 1).Metrics
		bytes[i] = m["shuffle_bytes"]
		if m["input_words"] != 30*40*50*10 {
			t.Errorf("input words %v", m["input_words"])
		}
	}
	if bytes[1] > 0.7*bytes[0] {
		t.Errorf("shuffle bytes with combiner %v, without %v", bytes[1], bytes[0])
	}
}

// Zipf words make skewed reducers (the hottest word's partition gets
// several percent of all pairs); uniform words do not.
func TestReduceSkew(t *testing.T) {
	z, _ := NewCluster(cfgOf(t, nil), 1)
	u, _ := NewCluster(cfgOf(t, map[string]string{"words": "uniform:n=10000"}), 1)
	mz, mu := run(t, z, Workload, 20, 1).Metrics, run(t, u, Workload, 20, 1).Metrics
	if mz["reduce_skew"] < 1.3 || mu["reduce_skew"] > 1.15 {
		t.Errorf("reduce_skew zipf %v uniform %v", mz["reduce_skew"], mu["reduce_skew"])
	}
}

// Backup tasks cut the tail under stragglers (§3.6, Fig. 3, where the sort
// takes 44% longer without them): here p99 job time falls by more than 30%
// and the median by more than 40% on every seed, for backups of under 15%
// of the tasks.
func TestBackupTasksCutTheTail(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		var p99, p50 [2]int64
		var extra float64
		for i, b := range []string{"false", "true"} {
			c, _ := NewCluster(cfgOf(t, map[string]string{"backup": b, "records": "5", "straggler_frac": "0.03"}), seed)
			rep := run(t, c, "mix=insert:1 arrival=poisson:rate=5", 300, seed)
			p99[i], p50[i] = rep.Latency.ValueAtQuantile(99), rep.Latency.ValueAtQuantile(50)
			if b == "true" {
				extra = rep.Metrics["backup_tasks"] / (300 * 50)
			}
		}
		if float64(p99[1]) > 0.7*float64(p99[0]) || float64(p50[1]) > 0.6*float64(p50[0]) || extra > 0.15 {
			t.Errorf("seed %d: p99 %v with backups, %v without; backups %.1f%% of tasks", seed, p99[1], p99[0], 100*extra)
		}
		t.Logf("seed %d: p50 %.1fms→%.1fms p99 %.1fms→%.1fms, backups %.1f%% of tasks", seed, float64(p50[0])/1e6, float64(p50[1])/1e6, float64(p99[0])/1e6, float64(p99[1])/1e6, 100*extra)
	}
}

// Without stragglers or queueing, a job is two waves of maps and one of
// reduces: utilisation and time follow.
func TestJobTimeNoStragglers(t *testing.T) {
	c, _ := NewCluster(cfgOf(t, map[string]string{"straggler_frac": "0", "backup": "false", "map_time": "10ms", "reduce_time": "15ms", "shuffle_bw": "1e15"}), 1)
	rep := run(t, c, "mix=insert:1 arrival=constant:rate=1", 5, 1)
	// 40 maps on 20 workers: 20 ms; 10 reduces: 15 ms.
	if got := rep.Latency.ValueAtQuantile(100); got < 34_900_000 || got > 35_100_000 {
		t.Errorf("job time %v, want 35ms", got)
	}
	if u := rep.Metrics["worker_utilisation"]; u <= 0 || u > 1 {
		t.Errorf("utilisation %v", u)
	}
}

func TestDeterministic(t *testing.T) {
	a0, _ := NewCluster(cfgOf(t, nil), 4)
	b0, _ := NewCluster(cfgOf(t, nil), 4)
	algotest.SameRun(t, "mapreduce/job", run(t, a0, Workload, 40, 4), run(t, b0, Workload, 40, 4))
}

func TestBadParams(t *testing.T) {
	algotest.ResolveCases(t, "mapreduce/job", map[string]string{
		"words=sequential:n=10":  "stateless",
		"words=zipf:theta=x":     "words",
		"maps=0":                 "maps",
		"straggler_frac=1.5":     "straggler_frac",
		"slowdown=0.5":           "slowdown",
		"backup_tail=0":          "backup_tail",
		"words=uniform:n=5":      "",
		"map_time=exp:mean=-1ms": "map_time",
	})
}

// constCfg is one job's worth of fixed durations: 40 maps on 20 machines
// (two waves, ending at 10 and 20 ms), 10 reduces of 15 ms after their
// shuffle, no stragglers or backups.
func constCfg(t *testing.T, extra map[string]string) Config {
	raw := map[string]string{"straggler_frac": "0", "backup": "false", "map_time": "10ms", "reduce_time": "15ms"}
	for k, v := range extra {
		raw[k] = v
	}
	return cfgOf(t, raw)
}

// partBytes returns map m's output bytes per reduce partition, from the
// job's input (the reference for the shuffle).
func partBytes(c *Cluster, seed uint64, m int) []int64 {
	out := make([]int64, c.cfg.Reduces)
	Input(c.words, seed, m, c.cfg.Records, c.cfg.LineWords, func(w uint64) { out[Partition(w, c.cfg.Reduces)] += pairBytes(w) })
	return out
}

// The shuffle overlaps the map phase (§3.1): each reduce starts with the
// job and fetches the first wave's outputs while the second wave runs, so
// the job takes max(10 ms + wave 1's bytes/bw, 20 ms) + wave 2's bytes/bw +
// 15 ms for its slowest reduce — computed here from the input, to the
// nanosecond — instead of 20 ms + all bytes/bw + 15 ms.
func TestShuffleOverlapsMapPhase(t *testing.T) {
	const bw = 2e6
	cfg := constCfg(t, map[string]string{"shuffle_bw": "2e6"})
	c, _ := NewCluster(cfg, 5)
	var want, serial float64
	c.OnJobDone = func(o *Output) {
		var b1, b2 [10]int64
		for m := 0; m < cfg.Maps; m++ {
			for r, b := range partBytes(c, o.Seed, m) {
				if m < 20 {
					b1[r] += b
				} else {
					b2[r] += b
				}
			}
		}
		for r := range b1 {
			fin := max(10e6+float64(b1[r])/bw*1e9, 20e6) + float64(b2[r])/bw*1e9 + 15e6
			want = max(want, fin)
			serial = max(serial, 20e6+float64(b1[r]+b2[r])/bw*1e9+15e6)
		}
		if got := float64(o.Elapsed); got < want-1e3 || got > want+1e3 {
			t.Errorf("job took %v, reference %v (no overlap: %v)", o.Elapsed, time.Duration(want), time.Duration(serial))
		}
	}
	rep := run(t, c, "mix=insert:1 arrival=constant:rate=1", 1, 1)
	if ov := rep.Metrics["shuffle_overlap"]; ov < 0.4 || ov > 0.6 || serial-want < 3e6 {
		t.Errorf("shuffle_overlap %v (want ≈ wave 1's share of bytes, 0.5); overlap saved %v", ov, time.Duration(serial-want))
	}
}

// Worker failures (§3.3): machines killed after every map finished, while
// the reduces are still fetching, take their map outputs with them. The
// master notices at its next ping, re-runs the lost reduce attempts and
// re-executes every completed map whose output lived on a dead machine (no
// reduce holds any yet): 5 machines × 2 waves = 10 maps. The answer is
// still word count's, exactly.
func TestWorkerFailureReexecutesMaps(t *testing.T) {
	cfg := constCfg(t, map[string]string{"shuffle_bw": "0.5e6", "kill": "5", "kill_at": "25ms", "ping": "10ms"})
	for seed := uint64(1); seed <= 5; seed++ {
		c, _ := NewCluster(cfg, seed)
		jobs := 0
		c.OnJobDone = func(o *Output) { jobs++; checkWordCount(t, c, o) }
		rep := run(t, c, "mix=insert:1 arrival=constant:rate=1", 1, seed)
		m := rep.Metrics
		if jobs != 1 || m["dead_workers"] != 5 || m["reexecuted_maps"] != 10 || m["lost_attempts"] > 5 {
			t.Errorf("seed %d: jobs %d metrics %v", seed, jobs, m)
		}
	}
}

// Killed while the reduces run their reduce function, every output already
// read: a map re-runs only if some reduce lost its attempt (its new one
// holds nothing), and then all of the dead machines' 10 outputs do.
func TestReexecutionOnlyWhenNeeded(t *testing.T) {
	cfg := constCfg(t, map[string]string{"shuffle_bw": "1e15", "kill": "5", "kill_at": "25ms"})
	lostSome, lostNone := false, false
	for seed := uint64(1); seed <= 40; seed++ {
		c, _ := NewCluster(cfg, seed)
		c.OnJobDone = func(o *Output) { checkWordCount(t, c, o) }
		m := run(t, c, "mix=insert:1 arrival=constant:rate=1", 1, seed).Metrics
		want := 0.0
		if m["lost_attempts"] > 0 {
			want, lostSome = 10, true
		} else {
			lostNone = true
		}
		if m["reexecuted_maps"] != want || m["jobs"] != 1 {
			t.Errorf("seed %d: lost %v reexecuted %v, want %v", seed, m["lost_attempts"], m["reexecuted_maps"], want)
		}
	}
	if !lostSome {
		t.Errorf("no seed lost a reduce attempt (lost none: %v)", lostNone)
	}
}

func TestDeterministicWithFailures(t *testing.T) {
	raw := map[string]string{"kill": "5", "kill_at": "500ms"}
	a0, _ := NewCluster(cfgOf(t, raw), 4)
	b0, _ := NewCluster(cfgOf(t, raw), 4)
	algotest.SameRun(t, "mapreduce/job", run(t, a0, Workload, 40, 4), run(t, b0, Workload, 40, 4))
}
