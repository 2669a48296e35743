package results

import (
	"errors"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The fixture is built by hand from fixed values, never from a live run, so
// the golden files are deterministic.

func fixtureEnv() Environment {
	return Environment{
		Version: "v0.1.0-test", Commit: "abc1234", GoVersion: "go1.26.0",
		OS: "linux", Arch: "amd64", CPU: "Test CPU @ 2.00GHz", Cores: 2,
		Start:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Host:    "testhost",
		Command: CommandLine([]string{"dsbench", "run", "builtin/map", "-p", "shards=4|8"}),
	}
}

// histOf records n values spread linearly over [lo, hi] ns, then the tail
// values once each.
func histOf(n int, lo, hi int64, tail ...int64) *hdr.Histogram {
	h := harness.NewHistogram()
	for i := range n {
		v := lo
		if n > 1 {
			v = lo + (hi-lo)*int64(i)/int64(n-1)
		}
		if err := h.RecordValue(v); err != nil {
			panic(err)
		}
	}
	for _, v := range tail {
		if err := h.RecordValue(v); err != nil {
			panic(err)
		}
	}
	return h
}

func fixtureOpenReport() *harness.Report {
	rep := &harness.Report{
		Loop: "open", Ops: 1002, Errors: 2, Denied: 0, WarmupOps: 100,
		Duration: 2 * time.Second,
		Latency:  histOf(1000, 800, 2000, 1_500_000, 40_000_000),
		Service:  histOf(1000, 700, 1500, 900, 1200),
		ShardOps: []uint64{400, 300, 200, 102}, ShardLatencyP99: []float64{2100, 1900, 1800, 1700},
		ClientOps:  []uint64{501, 501},
		Metrics:    map[string]float64{"keys_moved": 12, "stale_read_rate": 0.015},
		FirstError: errors.New("map: key 7\nnot found"),
	}
	rep.Kinds[workloads.Read] = harness.KindReport{Ops: 802, Errors: 2,
		Latency: histOf(800, 800, 1800, 40_000_000), Service: histOf(802, 700, 1400)}
	rep.Kinds[workloads.Update] = harness.KindReport{Ops: 200,
		Latency: histOf(200, 1000, 2000), Service: histOf(200, 900, 1500)}
	rep.Intervals = []harness.IntervalReport{
		{Start: 0, Ops: 600, Errors: 1, Latency: histOf(600, 800, 2000), Metrics: map[string]float64{"keys_moved": 5}},
		{Start: time.Second, Ops: 402, Errors: 1, Latency: histOf(402, 800, 2000, 40_000_000)},
	}
	return rep
}

func fixtureClosedReport() *harness.Report {
	lat := histOf(500, 900_000, 3_000_000, 25_000_000)
	return &harness.Report{
		Loop: "closed", Ops: 501, Duration: 1500 * time.Millisecond, Interrupted: true,
		Latency: lat, Service: lat,
		ClientOps: []uint64{501},
		Kinds:     [workloads.NumKinds]harness.KindReport{workloads.Read: {Ops: 501, Latency: lat, Service: lat}},
	}
}

func fixtureDoc() *Document {
	r1 := NewRun(RunMeta{
		ID: "r1", Target: "builtin/map", Params: map[string]string{"shards": "4", "value_size": "100"}, ParamsSet: []string{"shards", "value_size"},
		Workload: "keys=zipf:n=1000,s=0.99;mix=read:0.8,update:0.2;arrival=poisson:rate=500", WorkloadName: "ycsb-a",
		Seed: 42, Clock: "wall", Repetition: 1, Workers: 2,
	}, fixtureOpenReport())
	r2 := NewRun(RunMeta{
		ID: "r2", Target: "builtin/sleep", Params: map[string]string{"service": "exp:mean=1ms, jitter|2"}, ParamsSet: []string{"service"},
		Workload: "keys=uniform:n=100;mix=read:1", WorkloadName: "custom",
		Seed: 42, Clock: "virtual", Repetition: 1, Workers: 1, Shard: "1/2",
	}, fixtureClosedReport())
	r3 := NewRun(RunMeta{
		ID: "r3", Target: "builtin/noop", Workload: "keys=uniform:n=100", WorkloadName: "custom",
		Seed: 43, Clock: "wall", Repetition: 1, Workers: 1, Error: "opening target: boom",
	}, nil)
	return NewDocument(fixtureEnv(), []Run{r1, r2, r3})
}
