package simnet

import (
	"math"
	"testing"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// A Link is a FIFO serializer: bytes start when the earlier ones have left.
func TestLinkFIFO(t *testing.T) {
	l := NewLink(1e6) // 1 MB/s: 1 µs a byte
	if got := l.Send(0, 1000); got != time.Millisecond {
		t.Fatalf("first 1000 B leave at %v, want 1ms", got)
	}
	if got := l.Send(0, 1000); got != 2*time.Millisecond {
		t.Fatalf("second 1000 B queued behind the first leave at %v, want 2ms", got)
	}
	if got := l.Send(5*time.Millisecond, 500); got != 5500*time.Microsecond {
		t.Fatalf("500 B on an idle link at 5ms leave at %v, want 5.5ms", got)
	}
	if l.Busy() != 2500*time.Microsecond || l.Bytes() != 2500 {
		t.Fatalf("busy %v bytes %d, want 2.5ms and 2500", l.Busy(), l.Bytes())
	}
	if u := NewLink(0); u.Send(7, 1<<30) != 7 {
		t.Fatal("an unlimited link queues")
	}
}

type streamRun struct {
	w    *harness.World
	nt   *Net[pay]
	done map[int64]time.Duration
}

func newFabric(t *testing.T, nodes int, cfg FabricConfig) *streamRun {
	w, nt := newNet(t, 1, Config{Nodes: nodes})
	if err := nt.SetFabric(cfg); err != nil {
		t.Fatal(err)
	}
	return &streamRun{w: w, nt: nt, done: map[int64]time.Duration{}}
}

func (r *streamRun) start(chain []int, n int64, id int64) {
	if !r.nt.Stream(chain, n, func(w *harness.World, _ *harness.Request, arg int64) { r.done[arg] = w.Now() }, nil, id) {
		panic("stream refused")
	}
}

const mb = 1 << 20

// One stream over one link takes bytes/rate; a chain of k hops pipelines:
// only the last packet's extra hops add to it, not k times the bytes.
func TestStreamPipelinesAlongAChain(t *testing.T) {
	r := newFabric(t, 4, FabricConfig{NIC: 10e6, Packet: 64 << 10})
	r.start([]int{0, 1}, 4*mb, 1)
	r.w.RunUntil(time.Hour)
	one := r.done[1]
	// Two links in series (0.out, 1.in), store-and-forward: 4 MiB/10 MB/s
	// plus one packet's time on the second link.
	want := time.Duration(float64(4*mb)/10e6*1e9) + time.Duration(float64(64<<10)/10e6*1e9)
	if d := one - want; d < -time.Microsecond || d > time.Microsecond {
		t.Fatalf("one hop: %v, want %v", one, want)
	}
	r = newFabric(t, 4, FabricConfig{NIC: 10e6, Packet: 64 << 10})
	r.start([]int{0, 1, 2, 3}, 4*mb, 1)
	r.w.RunUntil(time.Hour)
	chain := r.done[1]
	// Six links (three NIC pairs): the data's time once, plus five packets.
	want = time.Duration(float64(4*mb)/10e6*1e9) + 5*time.Duration(float64(64<<10)/10e6*1e9)
	if d := chain - want; d < -time.Microsecond || d > time.Microsecond {
		t.Fatalf("chain of 4 nodes: %v, want %v (pipelined)", chain, want)
	}
	if chain > one*13/10 {
		t.Fatalf("chain %v is not pipelined (one hop %v)", chain, one)
	}
}

// Two streams into one NIC share it: both finish at about twice one's time.
func TestStreamsShareALink(t *testing.T) {
	r := newFabric(t, 3, FabricConfig{NIC: 10e6})
	r.start([]int{0, 2}, 4*mb, 1)
	r.start([]int{1, 2}, 4*mb, 2)
	r.w.RunUntil(time.Hour)
	alone := float64(4*mb) / 10e6
	for id, at := range r.done {
		if s := at.Seconds(); math.Abs(s-2*alone)/(2*alone) > 0.02 {
			t.Errorf("stream %d done at %.3fs, want ≈ %.3fs (two streams share 2's NIC)", id, s, 2*alone)
		}
	}
}

// Sixteen servers under one switch stream to sixteen clients under
// another: each NIC allows 12.5 MB/s (200 MB/s in all), the 1 Gbps link
// between the switches 125 MB/s, so the aggregate saturates at the
// switch link, as GFS's Fig. 3 reads do; eight readers (100 MB/s of
// NICs) stay NIC-bound.
func TestAggregateSaturatesAtTheSwitch(t *testing.T) {
	for _, tc := range []struct {
		readers int
		want    float64
	}{{1, 12.5e6}, {8, 100e6}, {16, 125e6}} {
		sw := make([]int, 32)
		for i := 16; i < 32; i++ {
			sw[i] = 1
		}
		r := newFabric(t, 32, FabricConfig{NIC: 12.5e6, Switch: 125e6, SwitchOf: sw})
		const per = 32 * mb
		for i := 0; i < tc.readers; i++ {
			r.start([]int{i, 16 + i}, per, int64(i))
		}
		r.w.RunUntil(time.Hour)
		var end time.Duration
		for _, at := range r.done {
			end = max(end, at)
		}
		agg := float64(per*tc.readers) / end.Seconds()
		if len(r.done) != tc.readers || agg > tc.want*1.0001 || agg < tc.want*0.97 {
			t.Errorf("%d readers: aggregate %.1f MB/s, want ≈ %.1f MB/s (≤ it)", tc.readers, agg/1e6, tc.want/1e6)
		}
		up, _ := r.nt.Uplink(0)
		if tc.readers == 16 && up.Busy() < end*95/100 {
			t.Errorf("16 readers: the switch link was busy %v of %v", up.Busy(), end)
		}
	}
}

// A crash of a node on the chain, or a partition between two of its
// nodes, stops the stream: done never runs, and a later stream reuses the
// pool.
func TestStreamStopsOnCrashAndPartition(t *testing.T) {
	r := newFabric(t, 3, FabricConfig{NIC: 10e6})
	r.start([]int{0, 1, 2}, 4*mb, 1)
	r.w.At(100*time.Millisecond, func(*harness.World, *harness.Request, int64) { r.nt.Crash(1) }, nil, 0)
	r.w.RunUntil(time.Hour)
	if _, ok := r.done[1]; ok {
		t.Fatal("a stream through a crashed node completed")
	}
	if _, ab := r.nt.StreamStats(); ab != 1 {
		t.Fatalf("aborted %d, want 1", ab)
	}
	r.nt.Restart(1)
	r.nt.Block(1, 2)
	r.start([]int{0, 1, 2}, mb, 2)
	r.w.RunUntil(2 * time.Hour)
	if _, ok := r.done[2]; ok {
		t.Fatal("a stream over a blocked link completed")
	}
	r.nt.Heal()
	r.start([]int{0, 1, 2}, mb, 3)
	r.w.RunUntil(3 * time.Hour)
	if _, ok := r.done[3]; !ok {
		t.Fatal("a stream on a healed chain did not complete")
	}
	if len(r.nt.fab.streams) > 2 {
		t.Fatalf("%d stream slots for at most 2 in flight: the pool leaks", len(r.nt.fab.streams))
	}
}

// With a fault domain, random faults never pick a node beyond it.
func TestFaultDomain(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		w, nt := newNet(t, seed, Config{Nodes: 10, FaultNodes: 4})
		var hit []int
		if _, err := nt.ScheduleFaults(FaultPlan{End: time.Second, Gap: 10 * time.Millisecond, Len: 5 * time.Millisecond,
			Log: func(_ time.Duration, _ FaultKind, nodes []int, healed bool) {
				if !healed {
					hit = append(hit, nodes...)
				}
			}}); err != nil {
			t.Fatal(err)
		}
		if err := nt.Schedule(Faults{Crash: Selector{Kind: SelectRandom}, CrashAt: 500 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		w.RunUntil(400 * time.Millisecond)
		w.RunUntil(600 * time.Millisecond)
		for i := 4; i < 10; i++ {
			if !nt.Up(i) {
				hit = append(hit, i)
			}
		}
		for _, n := range hit {
			if n >= 4 {
				t.Fatalf("seed %d: a random fault hit node %d outside the fault domain 0…3", seed, n)
			}
		}
	}
	if err := (Config{Nodes: 3, FaultNodes: 4}).Check(); err == nil {
		t.Fatal("a fault domain larger than the cluster was accepted")
	}
}
