package simnet

import (
	"math"
	"testing"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

type pay struct{ seq, val int64 }

func dist(t testing.TB, s string) workloads.DurationDist {
	d, err := workloads.ParseDurationDist(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newNet(t testing.TB, seed uint64, cfg Config) (*harness.World, *Net[pay]) {
	w := harness.NewWorld(seed, nil)
	nt, err := New[pay](w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w, nt
}

// One-way delay = floor + jitter: with const:d=200us plus exp:mean=300us,
// the minimum is the floor, the mean 500µs and the standard deviation of
// the exponential part 300µs.
func TestDelayDistribution(t *testing.T) {
	w, nt := newNet(t, 1, Config{Nodes: 2, Delay: dist(t, "const:d=200us"), Jitter: dist(t, "exp:mean=300us")})
	var sum, sq float64
	min := time.Hour
	got := 0
	nt.Handle(1, func(m *Msg[pay]) {
		d := w.Now() - m.SentAt
		sum += float64(d)
		sq += float64(d) * float64(d)
		if d < min {
			min = d
		}
		got++
	})
	const n = 20000
	for i := 0; i < n; i++ {
		nt.Send(0, 1, 0, pay{seq: int64(i)})
	}
	w.RunUntil(time.Hour)
	if got != n {
		t.Fatalf("delivered %d of %d", got, n)
	}
	mean := sum / n
	sd := math.Sqrt(sq/n - mean*mean)
	if min < 200*time.Microsecond || min > 201*time.Microsecond {
		t.Errorf("min delay %v, want the 200µs floor", min)
	}
	if math.Abs(mean-500e3) > 10e3 { // 5σ of the mean: 300µs/√20000 ≈ 2.1µs
		t.Errorf("mean delay %.0fns, want 500µs", mean)
	}
	if math.Abs(sd-300e3) > 15e3 {
		t.Errorf("delay sd %.0fns, want 300µs", sd)
	}
}

// A constant delay keeps a link FIFO; jitter reorders it.
func TestReordering(t *testing.T) {
	for _, tc := range []struct {
		jitter  string
		reorder bool
	}{{"const:d=0s", false}, {"exp:mean=1ms", true}} {
		w, nt := newNet(t, 2, Config{Nodes: 2, Delay: dist(t, "1ms"), Jitter: dist(t, tc.jitter)})
		last, inversions := int64(-1), 0
		nt.Handle(1, func(m *Msg[pay]) {
			if m.Payload.seq < last {
				inversions++
			}
			last = m.Payload.seq
		})
		for i := 0; i < 1000; i++ {
			nt.Send(0, 1, 0, pay{seq: int64(i)})
			w.RunUntil(w.Now() + 100*time.Microsecond)
		}
		w.RunUntil(time.Hour)
		if (inversions > 0) != tc.reorder {
			t.Errorf("jitter %s: %d inversions", tc.jitter, inversions)
		}
	}
}

// Loss and duplication rates match their probabilities (binomial, 5σ), and
// the counters add up: delivered + dropped = sent + dups.
func TestLossAndDup(t *testing.T) {
	const n = 40000
	w, nt := newNet(t, 3, Config{Nodes: 3, Loss: 0.1, Dup: 0.05, KindNames: []string{"a", "b"}})
	got := 0
	nt.Handle(2, func(m *Msg[pay]) { got++ })
	for i := 0; i < n; i++ {
		nt.Send(i%2, 2, Kind(i%2), pay{})
	}
	w.RunUntil(time.Hour)
	s := nt.Stats()
	copies := float64(n) * 1.05
	check := func(name string, got, want, sd float64) {
		if math.Abs(got-want) > 5*sd {
			t.Errorf("%s = %.0f, want %.0f ± %.0f", name, got, want, 5*sd)
		}
	}
	check("dups", float64(s.Dups), n*0.05, math.Sqrt(n*0.05*0.95))
	check("lost", float64(s.Lost), copies*0.1, math.Sqrt(copies*0.1*0.9))
	if s.Sent != n || uint64(got) != s.Delivered || s.Delivered+s.Dropped != s.Sent+s.Dups || s.Lost != s.Dropped {
		t.Errorf("counts %+v, handler saw %d", s.Counts, got)
	}
	if s.ByKind[0].Sent != n/2 || s.ByKind[1].Sent != n/2 || s.ByKind[0].Delivered+s.ByKind[1].Delivered != s.Delivered {
		t.Errorf("by kind %+v %+v", s.ByKind[0], s.ByKind[1])
	}
	if nt.KindName(1) != "b" || nt.KindName(7) != "kind7" {
		t.Errorf("kind names %q %q", nt.KindName(1), nt.KindName(7))
	}
}

// reach sends one message on every link and returns which arrived.
func reach(w *harness.World, nt *Net[pay]) [][]bool {
	n := nt.Nodes()
	got := make([][]bool, n)
	for i := range got {
		got[i] = make([]bool, n)
		i := i
		nt.Handle(i, func(m *Msg[pay]) { got[m.From][i] = true })
	}
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			nt.Send(a, b, 0, pay{})
		}
	}
	w.RunUntil(w.Now() + time.Second)
	return got
}

func TestPartitions(t *testing.T) {
	w, nt := newNet(t, 4, Config{Nodes: 5})
	open := func(g [][]bool, a, b int) bool { return g[a][b] }
	nt.Isolate(2)
	g := reach(w, nt)
	for a := 0; a < 5; a++ {
		for b := 0; b < 5; b++ {
			want := a == b || (a != 2 && b != 2)
			if open(g, a, b) != want {
				t.Errorf("isolate(2): %d→%d delivered=%v", a, b, open(g, a, b))
			}
		}
	}
	nt.Heal()
	nt.Split([]int{0, 1})
	g = reach(w, nt)
	side := func(x int) bool { return x < 2 }
	for a := 0; a < 5; a++ {
		for b := 0; b < 5; b++ {
			if want := side(a) == side(b); open(g, a, b) != want {
				t.Errorf("split{0,1}: %d→%d delivered=%v", a, b, open(g, a, b))
			}
		}
	}
	nt.Heal()
	nt.Block(3, 4) // asymmetric: 3 cannot reach 4, 4 still reaches 3
	g = reach(w, nt)
	if open(g, 3, 4) || !open(g, 4, 3) || !open(g, 0, 4) {
		t.Errorf("one-way 3→4: 3→4=%v 4→3=%v", open(g, 3, 4), open(g, 4, 3))
	}
	nt.Heal()
	if nt.Partitioned() {
		t.Error("still partitioned after Heal")
	}
	// A partition that starts while a message is on the wire cuts it.
	arrived := false
	nt.Handle(1, func(m *Msg[pay]) { arrived = true })
	nt.Send(0, 1, 0, pay{})
	w.RunUntil(w.Now() + 100*time.Microsecond)
	nt.Isolate(1)
	w.RunUntil(w.Now() + time.Second)
	if arrived || nt.Stats().Partitioned == 0 {
		t.Errorf("in-flight message crossed a partition (arrived=%v)", arrived)
	}
}

func TestCrashRestart(t *testing.T) {
	w, nt := newNet(t, 5, Config{Nodes: 3})
	var got []int64
	restarted := -1
	nt.OnRestart = func(n int) { restarted = n }
	nt.Handle(1, func(m *Msg[pay]) { got = append(got, m.Payload.seq) })
	nt.Send(1, 0, 0, pay{}) // sent before the crash: still delivered
	reached0 := false
	nt.Handle(0, func(m *Msg[pay]) { reached0 = true })
	nt.Crash(1)
	if nt.Send(1, 0, 0, pay{}) {
		t.Error("a crashed node sent")
	}
	nt.Send(0, 1, 0, pay{seq: 1}) // dropped at a crashed node
	w.RunUntil(w.Now() + time.Second)
	nt.Restart(1)
	nt.Send(0, 1, 0, pay{seq: 2})
	w.RunUntil(w.Now() + time.Second)
	if !reached0 || len(got) != 1 || got[0] != 2 || restarted != 1 || nt.Incarnation(1) != 1 || !nt.Up(1) {
		t.Errorf("reached0=%v got=%v restarted=%d inc=%d", reached0, got, restarted, nt.Incarnation(1))
	}
	if s := nt.Stats(); s.Crashed != 2 {
		t.Errorf("crash drops %d, want 2", s.Crashed)
	}
}

// trace runs a lossy, jittery, duplicating network under a random fault
// plan and returns what each node received, in order.
func trace(seed uint64) (string, int) {
	w := harness.NewWorld(seed, nil)
	d, _ := workloads.ParseDurationDist("exp:mean=400us")
	nt, _ := New[pay](w, Config{Nodes: 5, Jitter: d, Loss: 0.05, Dup: 0.05})
	var out []byte
	for i := 0; i < 5; i++ {
		nt.Handle(i, func(m *Msg[pay]) {
			out = append(out, byte(m.From), byte(m.To), byte(m.Payload.seq), byte(w.Now()/time.Microsecond))
			if m.Payload.val < 3 {
				nt.Send(m.To, (m.To+int(m.Payload.seq))%5, 0, pay{m.Payload.seq + 1, m.Payload.val + 1})
			}
		})
	}
	faults, _ := nt.ScheduleFaults(FaultPlan{Start: 0, End: 50 * time.Millisecond, Gap: 2 * time.Millisecond, Len: 3 * time.Millisecond})
	for i := 0; i < 2000; i++ {
		w.At(time.Duration(i)*30*time.Microsecond, func(w *harness.World, _ *harness.Request, a int64) {
			nt.Send(int(a%5), int(a/5%5), 0, pay{seq: a})
		}, nil, int64(i))
	}
	w.RunUntil(time.Second)
	return string(out), faults()
}

func TestDeterminism(t *testing.T) {
	a, fa := trace(9)
	b, fb := trace(9)
	c, _ := trace(10)
	if a != b || fa != fb {
		t.Error("two runs with one seed differ")
	}
	if a == c {
		t.Error("two seeds gave the same run")
	}
	if fa == 0 {
		t.Error("the fault plan injected nothing")
	}
}

// A random fault plan's faults count in the cluster's statistics (the
// faults_injected metric) like scheduled ones: one crash or partition each.
func TestFaultPlanCountsInStats(t *testing.T) {
	_, nt := newNet(t, 3, Config{Nodes: 5})
	faults, err := nt.ScheduleFaults(FaultPlan{End: time.Second, Gap: time.Millisecond, Len: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	nt.World().RunUntil(2 * time.Second)
	st := nt.Stats()
	if n := faults(); n < 100 || st.FaultCrashes+st.FaultPartitions != uint64(n) || st.FaultCrashes == 0 || st.FaultPartitions == 0 {
		t.Errorf("plan injected %d faults; stats count %d crashes + %d partitions", n, st.FaultCrashes, st.FaultPartitions)
	}
}

// The fault plan heals everything at End: every link open, every node up.
func TestFaultPlanHeals(t *testing.T) {
	w, nt := newNet(t, 11, Config{Nodes: 5})
	kinds := map[FaultKind]int{}
	_, err := nt.ScheduleFaults(FaultPlan{End: time.Second, Gap: time.Millisecond, Len: 5 * time.Millisecond,
		Log: func(_ time.Duration, k FaultKind, nodes []int, healed bool) {
			if !healed {
				kinds[k]++
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	w.RunUntil(2 * time.Second)
	if len(kinds) != int(numFaultKinds) {
		t.Errorf("fault kinds seen %v", kinds)
	}
	for i := 0; i < 5; i++ {
		if !nt.Up(i) {
			t.Errorf("node %d down after the plan", i)
		}
	}
	if nt.Partitioned() {
		t.Error("partitioned after the plan")
	}
	if _, err := nt.ScheduleFaults(FaultPlan{End: time.Second}); err == nil {
		t.Error("a plan without gap and length was accepted")
	}
}

func TestConfigCheck(t *testing.T) {
	for _, c := range []Config{{Nodes: 0}, {Nodes: 3, Loss: 1}, {Nodes: 3, Dup: -0.1}, {Nodes: 3, Loss: math.NaN()}} {
		if c.Check() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// Steady-state delivery allocates nothing.
func TestNoAllocs(t *testing.T) {
	w, nt := newNet(t, 12, Config{Nodes: 3, Jitter: dist(t, "exp:mean=100us"), Dup: 0.1})
	nt.Handle(1, func(m *Msg[pay]) {})
	step := func() {
		for i := 0; i < 64; i++ {
			nt.Send(0, 1, 0, pay{seq: int64(i)})
		}
		w.RunUntil(w.Now() + time.Second)
	}
	step()
	if a := testing.AllocsPerRun(50, step); a != 0 {
		t.Errorf("%.1f allocs per 64 messages", a)
	}
}

func BenchmarkSendDeliver(b *testing.B) {
	w, nt := newNet(b, 13, Config{Nodes: 5, Jitter: dist(b, "exp:mean=100us")})
	for i := 0; i < 5; i++ {
		nt.Handle(i, func(m *Msg[pay]) {})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		nt.Send(i%5, (i+1)%5, 0, pay{seq: int64(i)})
		if i%64 == 63 {
			w.RunUntil(w.Now() + time.Second)
		}
	}
}

// A per-link floor overrides Config.Delay on that link only, one way.
func TestLinkDelay(t *testing.T) {
	w, nt := newNet(t, 14, Config{Nodes: 3, Delay: dist(t, "1ms")})
	nt.SetLinkDelay(0, 2, dist(t, "7ms"))
	at := map[[2]int]time.Duration{}
	for i := 0; i < 3; i++ {
		nt.Handle(i, func(m *Msg[pay]) { at[[2]int{m.From, m.To}] = w.Now() - m.SentAt })
	}
	nt.Send(0, 1, 0, pay{})
	nt.Send(0, 2, 0, pay{})
	nt.Send(2, 0, 0, pay{})
	w.RunUntil(time.Second)
	if at[[2]int{0, 1}] != time.Millisecond || at[[2]int{0, 2}] != 7*time.Millisecond || at[[2]int{2, 0}] != time.Millisecond {
		t.Errorf("delays %v", at)
	}
}

// A crash fault that picks a node already down (crashed by the protocol's
// own schedule) does not restart it when the fault heals: only the end of
// the plan restarts every node.
func TestFaultPlanLeavesOtherCrashesAlone(t *testing.T) {
	w, nt := newNet(t, 13, Config{Nodes: 2})
	nt.Crash(0)
	nt.Crash(1)
	faults := 0
	_, err := nt.ScheduleFaults(FaultPlan{End: time.Second, Gap: time.Millisecond, Len: time.Millisecond, Kinds: []FaultKind{FaultCrash},
		Log: func(_ time.Duration, _ FaultKind, _ []int, healed bool) {
			if healed {
				faults++
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	w.RunUntil(900 * time.Millisecond)
	if faults < 100 || nt.Up(0) || nt.Up(1) {
		t.Errorf("after %d healed crash faults: up %v %v, want both still down", faults, nt.Up(0), nt.Up(1))
	}
	w.RunUntil(2 * time.Second)
	if !nt.Up(0) || !nt.Up(1) {
		t.Error("the end of the plan did not restart every node")
	}
}
