package gfs

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

// build makes a cluster from raw parameters (Record on), for tests that
// look inside it.
func build(t *testing.T, raw map[string]string, clients int) *Sim {
	t.Helper()
	cfg, err := ConfigFrom(algotest.Params(t, "gfs/cluster", raw))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Clients == 0 {
		cfg.Clients = clients
	}
	cfg.Record = true
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, s *Sim, spec string, o algotest.Options) *harness.Report {
	t.Helper()
	o.Clock = algorithms.Virtual
	if o.Timeout == 0 {
		o.Timeout = time.Minute
	}
	return algotest.RunTarget(t, s, algotest.Spec(t, spec), o)
}

// small is a cluster that runs fast: 8 chunkservers, 8 MiB chunks, a
// 0.5 GB file set, second-scale timers.
func small(extra map[string]string) map[string]string {
	raw := map[string]string{"nodes": "8", "chunk_size": "8", "dataset": "0.5", "lease": "5s", "heartbeat": "200ms",
		"heartbeat_timeout": "1s", "timeout": "1s", "packet": "64"}
	for k, v := range extra {
		raw[k] = v
	}
	return raw
}

const mixed = "mix=read:0.4,update:0.3,rmw:0.3 keys=uniform:n=1000 size=uniform:min=65536,max=1048576 clients=8 arrival=poisson:rate=40"

// Every acknowledged write and record append is on every live replica the
// master lists, in the same order; reads return the last acknowledged
// write (or a later one); with no fault nothing is retried or duplicated.
func TestReplicasAgree(t *testing.T) {
	for _, extra := range []map[string]string{nil, {"loss": "0.01"}, {"crash": "random", "crash_at": "2s"},
		{"crash": "leader", "crash_at": "2s", "restart_at": "4s"}, {"crash": "leader", "crash_at": "2s", "restart_at": "2.5s"},
		{"partition": "isolate:random@1s..3s"}, {"fault_gap": "1s", "fault_len": "500ms", "faults_end": "8s"}} {
		s := build(t, small(extra), 0)
		rep := run(t, s, mixed, algotest.Options{Ops: 600, Seed: 3})
		dups, err := s.check()
		if err != nil {
			t.Fatalf("%v: %v", extra, err)
		}
		m := rep.Metrics
		if extra == nil {
			if m["retries"] != 0 || m["duplicates"] != 0 || dups != 0 || m["stale_reads"] != 0 || rep.Errors != 0 {
				t.Errorf("no faults: retries %v duplicates %v (%d in the replicas) stale reads %v errors %d, want 0",
					m["retries"], m["duplicates"], dups, m["stale_reads"], rep.Errors)
			}
			if m["read_mb_s"] <= 0 || m["write_mb_s"] <= 0 || m["append_mb_s"] <= 0 {
				t.Errorf("no faults: a rate is zero: %v", m)
			}
		}
		if m["duplicates"] > 0 && m["retries"] == 0 {
			t.Errorf("%v: %v duplicates without a retry", extra, m["duplicates"])
		}
		if dups > int(m["duplicates"]) {
			t.Errorf("%v: the replicas hold %d duplicated records, the metric says %v", extra, dups, m["duplicates"])
		}
		t.Logf("%v: retries %v duplicates %v errors %d expiries %v rereplicated %v", extra, m["retries"], m["duplicates"], rep.Errors, m["lease_expiries"], m["rereplicated_chunks"])
	}
}

// The checker catches a broken secondary that acknowledges mutations it
// did not apply.
func TestCheckerCatchesBrokenSecondary(t *testing.T) {
	s := build(t, small(nil), 0)
	s.brokenApply = true
	run(t, s, mixed, algotest.Options{Ops: 200, Seed: 3})
	if _, err := s.check(); err == nil || !strings.Contains(err.Error(), "acknowledged") {
		t.Fatalf("the checker passed a secondary that drops every fifth mutation (err %v)", err)
	}
	// Reads and writes of the same 256 KiB regions: a broken secondary
	// serves stale reads, a sound cluster none.
	const aligned = "mix=read:0.5,update:0.5 keys=uniform:n=20 size=const:n=262144 clients=8 arrival=poisson:rate=40"
	for _, broken := range []bool{false, true} {
		s := build(t, small(nil), 0)
		s.brokenApply = broken
		rep := run(t, s, aligned, algotest.Options{Ops: 600, Seed: 3})
		if stale := rep.Metrics["stale_reads"]; (stale > 0) != broken {
			t.Errorf("broken secondary %v: %v stale reads", broken, stale)
		}
	}
}

// Record append is at-least-once: with message loss, failed appends are
// retried and leave duplicates; with append_retries=false none is retried
// or duplicated, and the failed appends are errors instead.
func TestAppendRetriesSwitch(t *testing.T) {
	const appends = "mix=rmw:1 keys=uniform:n=10 size=uniform:min=65536,max=1048576 clients=8 arrival=poisson:rate=40"
	var dupOn, errOn float64
	for _, retry := range []string{"true", "false"} {
		var dups, errs, pads float64
		extra := 0 // copies a reader dropped as duplicates
		for seed := uint64(1); seed <= 4; seed++ {
			s := build(t, small(map[string]string{"loss": "0.02", "append_retries": retry}), 0)
			rep := run(t, s, appends, algotest.Options{Ops: 400, Seed: seed})
			d, err := s.check()
			if err != nil {
				t.Fatal(err)
			}
			raw, distinct := readerTolerates(t, s)
			extra += raw - distinct
			dups += rep.Metrics["duplicates"]
			errs += float64(rep.Errors)
			pads += rep.Metrics["padding_bytes"]
			if retry == "false" && (d != 0 || rep.Metrics["duplicates"] != 0 || raw != distinct) {
				t.Fatalf("append_retries=false: %d duplicated records (metric %v)", d, rep.Metrics["duplicates"])
			}
		}
		if pads == 0 {
			t.Errorf("append_retries=%s: records of 64 KiB … 1 MiB never padded an 8 MiB chunk", retry)
		}
		if retry == "true" {
			dupOn, errOn = dups, errs
			if dups == 0 || extra == 0 {
				t.Errorf("retries on, 2%% loss: %v duplicates in 1600 appends, %d dropped by the reader", dups, extra)
			}
		} else if errs <= errOn {
			t.Errorf("retries off: %v failed appends, on: %v; turning retries off should lose appends", errs, errOn)
		}
	}
	t.Logf("duplicates with retries %v", dupOn)
}

// A chunkserver crash: the master notices the missed heartbeats, the
// leases its primary held run out (lease_expiries), its chunks are cloned
// elsewhere over the network (rereplicated_chunks) until every chunk has
// its replicas again, and the replicas still agree.
func TestCrashLeaseExpiryRereplication(t *testing.T) {
	s := build(t, small(map[string]string{"crash": "leader", "crash_at": "2s", "clones": "4"}), 0)
	const spec = "mix=read:0.5,rmw:0.5 keys=uniform:n=10 size=const:n=262144 clients=8 arrival=poisson:rate=20"
	rep := run(t, s, spec, algotest.Options{Duration: 40 * time.Second, Seed: 5})
	m := rep.Metrics
	if m["lease_expiries"] < 1 {
		t.Errorf("the append chunk's primary crashed: lease_expiries %v, want ≥ 1", m["lease_expiries"])
	}
	lost := 0
	for i := range s.servers {
		if !s.net.Up(i) {
			lost = len(s.servers[i].reps)
		}
	}
	if lost == 0 || m["rereplicated_chunks"] < float64(lost) || m["under_replicated"] != 0 {
		t.Errorf("the dead server held %d chunks: re-replicated %v, still under-replicated %v", lost, m["rereplicated_chunks"], m["under_replicated"])
	}
	if _, err := s.check(); err != nil {
		t.Fatal(err)
	}
	for ci := range s.chunks {
		c := &s.chunks[ci]
		for _, r := range c.reps[:c.nrep] {
			if !s.net.Up(int(r)) {
				t.Fatalf("chunk %d still lists the dead server %d", ci, r)
			}
		}
	}
	// Re-replication costs bandwidth: the clones' bytes crossed the NICs.
	var in uint64
	for i := range s.servers {
		_, l := s.net.NIC(i)
		in += l.Bytes()
	}
	if min := uint64(lost) * 1 << 10; in < min {
		t.Errorf("NIC bytes in %d, less than the clones moved", in)
	}
	if rep.Ops == 0 || float64(rep.Errors) > 0.2*float64(rep.Ops) {
		t.Errorf("%d errors in %d ops: the cluster did not recover", rep.Errors, rep.Ops)
	}
}

// Heartbeats extend a mutated chunk's lease: with the lease longer than
// the heartbeat each chunk of the append file is leased once and the
// clients, whose cached primary keeps its lease, seldom ask the master;
// with the heartbeat longer than the lease, the lease lapses between
// extensions, the primary refuses writes and the clients go back to the
// master, which grants the lease again and again.
func TestLeaseExtendedByHeartbeats(t *testing.T) {
	const spec = "mix=rmw:1 keys=uniform:n=1 size=const:n=65536 clients=4 arrival=poisson:rate=20"
	ops, grants := map[string]float64{}, map[string]float64{}
	for _, hb := range []string{"200ms", "3s"} {
		s := build(t, small(map[string]string{"lease": "1s", "heartbeat": hb, "heartbeat_timeout": "10s"}), 0)
		rep := run(t, s, spec, algotest.Options{Duration: 30 * time.Second, Seed: 1})
		ops[hb] = rep.Metrics["master_ops_s"]
		grants[hb] = rep.Metrics["lease_grants"] / float64(len(s.files[0]))
		if rep.Errors != 0 || rep.Metrics["retries"] != 0 {
			t.Fatalf("heartbeat %s: %d errors, %v retries", hb, rep.Errors, rep.Metrics["retries"])
		}
		if rep.Metrics["lease_expiries"] != 0 {
			t.Errorf("heartbeat %s: a live primary's lapsed lease counted as an expiry", hb)
		}
	}
	if grants["200ms"] != 1 || grants["3s"] < 3 {
		t.Errorf("lease grants per chunk: %v with 200ms heartbeats (want 1), %v with 3s (want ≥ 3)", grants["200ms"], grants["3s"])
	}
	if ops["3s"] < 3*ops["200ms"] {
		t.Errorf("master ops/s: %.2f with heartbeats extending the lease, %.2f without: want few, then many", ops["200ms"], ops["3s"])
	}
}

// Bandwidth saturates where the paper's did: one reader at its NIC's
// 12.5 MB/s, sixteen at most at the 1 Gbps switch link's 125 MB/s and
// close to it when the chunkservers are many (few readers share one).
func TestReadBandwidthSaturates(t *testing.T) {
	const spec = "mix=read:1 keys=uniform:n=1e6 size=const:n=4194304 clients=16 arrival=closed"
	for _, tc := range []struct {
		clients, nodes string
		lo, hi         float64
	}{{"1", "16", 11.5, 12.5}, {"16", "16", 85, 125}, {"16", "128", 110, 125}} {
		s := build(t, map[string]string{"clients": tc.clients, "nodes": tc.nodes, "dataset": "32"}, 0)
		rep := run(t, s, spec, algotest.Options{Duration: 10 * time.Second, Seed: 2, Workers: 16})
		got := rep.Metrics["read_mb_s"]
		if got < tc.lo || got > tc.hi {
			t.Errorf("%s readers on %s chunkservers: %.1f MB/s, want %v … %v", tc.clients, tc.nodes, got, tc.lo, tc.hi)
		}
		t.Logf("%s readers on %s chunkservers: %.1f MB/s, %d ops", tc.clients, tc.nodes, got, rep.Ops)
		if u := rep.Metrics["client_switch_util"]; u > 1.0001 {
			t.Errorf("the client switch link busy %.3f of the time", u)
		}
	}
}

// One seed, one run, faults included.
func TestDeterminism(t *testing.T) {
	one := func(seed uint64) *harness.Report {
		return algotest.Run(t, "gfs/cluster", small(map[string]string{"crash": "random", "crash_at": "1s", "loss": "0.01"}), mixed,
			algotest.Options{Clock: algorithms.Virtual, Ops: 300, Seed: seed})
	}
	algotest.SameRun(t, "gfs/cluster", one(4), one(4))
}

func TestBadParams(t *testing.T) {
	info, err := algorithms.Lookup("gfs/cluster")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		raw  map[string]string
		want string
	}{
		{map[string]string{"replicas": "5", "nodes": "4"}, "replicas=5"},
		{map[string]string{"racks": "9", "nodes": "4"}, "racks=9"},
		{map[string]string{"heartbeat": "5s", "heartbeat_timeout": "2s"}, "heartbeat_timeout"},
		{map[string]string{"dataset": "0.01"}, "dataset"},
		{map[string]string{"crash": "16"}, "crash"},
		{map[string]string{"dup": "0.1"}, "dup"},
	} {
		if _, err := info.Resolve(tc.raw); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.raw, err, tc.want)
		}
	}
	if _, err := algotest.New("gfs/cluster", nil, "mix=read:0.5,scan:0.5", algotest.Options{Clock: algorithms.Virtual}); err == nil ||
		!strings.Contains(err.Error(), "scan") {
		t.Errorf("a scan workload: error %v, want one naming scan", err)
	}
	if err := info.CheckWorkload(algotest.Spec(t, "ycsb-e")); err == nil || !strings.Contains(err.Error(), "scan") {
		t.Errorf("ycsb-e at plan time: error %v, want one naming scan (exit 2 before any run)", err)
	}
	if err := info.CheckWorkload(algotest.Spec(t, Workload)); err != nil {
		t.Errorf("the default workload: %v", err)
	}
}

// Clients cache chunk locations: reads of a few regions ask the master
// once per client and chunk, not once per read.
func TestClientsCacheLocations(t *testing.T) {
	s := build(t, small(nil), 0)
	const spec = "mix=read:1 keys=uniform:n=20 size=const:n=262144 clients=8 arrival=poisson:rate=100"
	rep := run(t, s, spec, algotest.Options{Ops: 1000, Seed: 1})
	chunks := map[int64]bool{}
	for k := int64(0); k < 20; k++ {
		chunks[k*262144/s.cfg.ChunkSize] = true
	}
	if max := uint64(8 * len(chunks)); s.masterOps > max || rep.Errors != 0 {
		t.Errorf("%d master lookups for 1000 reads of %d chunks by 8 clients (at most %d), %d errors", s.masterOps, len(chunks), max, rep.Errors)
	}
}

// Replicas are spread over racks: with racks ≥ replicas every chunk's
// replicas are on distinct racks, with fewer racks on all of them — at
// setup, for new chunks and after re-replication.
func TestPlacementAcrossRacks(t *testing.T) {
	for _, racks := range []int{1, 2, 3, 4} {
		s := build(t, small(map[string]string{"racks": strconv.Itoa(racks), "crash": "random", "crash_at": "1s", "clones": "8"}), 0)
		const spec = "mix=rmw:0.5,read:0.5 keys=uniform:n=4 size=const:n=524288 clients=8 arrival=poisson:rate=40"
		rep := run(t, s, spec, algotest.Options{Duration: 20 * time.Second, Seed: 1})
		if rep.Metrics["rereplicated_chunks"] == 0 {
			t.Fatalf("racks=%d: nothing re-replicated", racks)
		}
		for ci := range s.chunks {
			c := &s.chunks[ci]
			seen := map[int]bool{}
			for _, r := range c.reps[:c.nrep] {
				seen[s.sw[r]] = true
			}
			if want := min(racks, int(c.nrep)); len(seen) != want {
				t.Fatalf("racks=%d: chunk %d's %d replicas on %d racks, want %d", racks, ci, c.nrep, len(seen), want)
			}
		}
	}
}

// readerTolerates reads every append file as a GFS reader does — its
// chunks in order from a live replica, skipping padding — and keeps the
// first copy of each record id: every acknowledged record is read. It
// returns the records read and the distinct ones.
func readerTolerates(t *testing.T, s *Sim) (raw, distinct int) {
	t.Helper()
	for f, chunks := range s.files {
		seen := map[uint64]bool{}
		acked := map[uint64]bool{}
		for _, ci := range chunks {
			c := &s.chunks[ci]
			for _, r := range c.reps[:c.nrep] {
				if !s.net.Up(int(r)) {
					continue
				}
				for _, e := range s.servers[r].reps[ci].log {
					if e.mut != mutAppend {
						continue
					}
					raw++
					if !seen[e.rec] {
						seen[e.rec] = true
						distinct++
					}
					if _, ok := s.acked[e.id]; ok {
						acked[e.rec] = true
					}
				}
				break
			}
		}
		for rec := range acked {
			if !seen[rec] {
				t.Fatalf("file %d: acknowledged record %d not read", f, rec)
			}
		}
	}
	return raw, distinct
}
