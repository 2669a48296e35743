package simnet

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// A node whose CPU charges a constant cpu_recv to every message is an M/D/1
// queue under Poisson arrivals: the mean wait in its queue is the
// Pollaczek–Khinchine value ρ·d / (2(1−ρ)).
func TestCPUIsAFIFOServer(t *testing.T) {
	const d = 100 * time.Microsecond
	for _, rho := range []float64{0.5, 0.8} {
		w, nt := newNet(t, 21, Config{Nodes: 1, Delay: dist(t, "0s"), CPURecv: dist(t, "100us")})
		var wait float64
		got := 0
		nt.Handle(0, func(m *Msg[pay]) {
			arrived := time.Duration(m.Payload.val)
			wait += float64(w.Now() - arrived - d)
			got++
		})
		const n = 200000
		gap := float64(d) / rho
		var at time.Duration
		send := func(w *harness.World, _ *harness.Request, _ int64) {
			nt.FromClient(0, 0, pay{val: int64(w.Now())})
		}
		for i := 0; i < n; i++ {
			at += time.Duration(w.Rand().ExpFloat64() * gap)
			w.At(at, send, nil, 0)
		}
		w.RunUntil(time.Hour)
		if got != n {
			t.Fatalf("handled %d of %d", got, n)
		}
		want := rho * float64(d) / (2 * (1 - rho))
		if mean := wait / n; math.Abs(mean-want)/want > 0.05 {
			t.Errorf("ρ=%.1f: mean wait %.0fns, M/D/1 gives %.0fns", rho, mean, want)
		}
		if busy := nt.CPUBusy(0); busy != n*d {
			t.Errorf("CPU busy %v, want %v", busy, n*d)
		}
	}
}

// A fan-out is paid by the sender: n−1 sends of cpu_send leave one after
// another, and a message that arrives meanwhile waits behind them.
func TestFanOutCostsTheSender(t *testing.T) {
	w, nt := newNet(t, 22, Config{Nodes: 5, Delay: dist(t, "1ms"), CPUSend: dist(t, "10us"), CPURecv: dist(t, "0s")})
	at := map[int]time.Duration{}
	for i := 1; i < 5; i++ {
		nt.Handle(i, func(m *Msg[pay]) { at[m.To] = w.Now() })
	}
	nt.Broadcast(0, 0, pay{})
	w.RunUntil(time.Second)
	for i := 1; i < 5; i++ {
		if want := time.Duration(i)*10*time.Microsecond + time.Millisecond; at[i] != want {
			t.Errorf("node %d got the broadcast at %v, want %v", i, at[i], want)
		}
	}
	if nt.CPUBusy(0) != 40*time.Microsecond || nt.CPUBusy(1) != 0 {
		t.Errorf("busy %v %v", nt.CPUBusy(0), nt.CPUBusy(1))
	}
}

// A handler runs only after the node's earlier sends are done: the CPU is
// one FIFO server for both directions.
func TestReceiveWaitsForSends(t *testing.T) {
	w, nt := newNet(t, 23, Config{Nodes: 2, Delay: dist(t, "0s"), CPUSend: dist(t, "1ms"), CPURecv: dist(t, "1ms")})
	var handled time.Duration
	nt.Handle(1, func(m *Msg[pay]) {})
	nt.Handle(0, func(m *Msg[pay]) { handled = w.Now() })
	for i := 0; i < 3; i++ {
		nt.Send(0, 1, 0, pay{}) // 3ms of sending at node 0
	}
	nt.FromClient(0, 0, pay{}) // arrives at 0, received after the sends: 3ms + 1ms
	w.RunUntil(time.Second)
	if handled != 4*time.Millisecond {
		t.Errorf("handled at %v, want 4ms", handled)
	}
}

// Group commit: writes arriving during an fsync share the next one, so at
// 10 writes per fsync time the disk keeps up with few fsyncs; without it
// every write waits for its own fsync and the queue grows.
func TestGroupCommit(t *testing.T) {
	for _, group := range []bool{true, false} {
		w, nt := newNet(t, 24, Config{Nodes: 1, Fsync: dist(t, "1ms"), GroupCommit: group})
		var worst time.Duration
		done := func(w *harness.World, _ *harness.Request, at int64) {
			worst = max(worst, w.Now()-time.Duration(at))
		}
		const n = 1000
		for i := 0; i < n; i++ {
			w.At(time.Duration(i)*100*time.Microsecond, func(w *harness.World, _ *harness.Request, _ int64) {
				nt.Fsync(0, done, nil, int64(w.Now()))
			}, nil, 0)
		}
		w.RunUntil(time.Hour)
		st := nt.Stats()
		if st.LogWrites != n {
			t.Fatalf("log writes %d", st.LogWrites)
		}
		if group {
			if st.Fsyncs < 95 || st.Fsyncs > 105 || worst > 2*time.Millisecond {
				t.Errorf("group commit: %d fsyncs for %d writes, worst wait %v; want ~100 and ≤ 2ms", st.Fsyncs, n, worst)
			}
		} else if st.Fsyncs != n || worst < 800*time.Millisecond {
			t.Errorf("no group commit: %d fsyncs, worst wait %v; want %d and a growing queue (~900ms)", st.Fsyncs, worst, n)
		}
	}
}

// A write issued by an fsync's callback (a node logging what it learned
// from the write just made durable) is made durable by the next fsync; it
// used to be lost, because the callback's Fsync started a sync that reused
// the list being called back.
func TestFsyncFromItsCallback(t *testing.T) {
	w, nt := newNet(t, 25, Config{Nodes: 1, Fsync: dist(t, "1ms"), GroupCommit: true})
	var at []time.Duration
	var chain harness.EventFunc
	chain = func(w *harness.World, _ *harness.Request, left int64) {
		at = append(at, w.Now())
		if left > 0 {
			nt.Fsync(0, chain, nil, left-1)
		}
	}
	nt.Fsync(0, chain, nil, 4)
	w.RunUntil(time.Hour)
	if len(at) != 5 || at[4] != 5*time.Millisecond || nt.Stats().Fsyncs != 5 {
		t.Errorf("5 chained writes completed at %v with %d fsyncs; want 1ms, 2ms … 5ms, 5 fsyncs", at, nt.Stats().Fsyncs)
	}
}

// A crash loses the node's queued messages, its unsynced writes and its
// timers; after a restart it works again.
func TestCrashLosesVolatileWork(t *testing.T) {
	w, nt := newNet(t, 25, Config{Nodes: 2, Delay: dist(t, "0s"), CPURecv: dist(t, "1ms"), Fsync: dist(t, "5ms"), GroupCommit: true})
	handled, fired, synced := 0, 0, 0
	nt.Handle(1, func(m *Msg[pay]) { handled++ })
	for i := 0; i < 5; i++ {
		nt.Send(0, 1, 0, pay{})
	}
	nt.After(1, 10*time.Millisecond, func(*harness.World, *harness.Request, int64) { fired++ }, nil, 0)
	nt.Fsync(1, func(*harness.World, *harness.Request, int64) { synced++ }, nil, 0)
	w.RunUntil(2500 * time.Microsecond) // two of five received
	nt.Crash(1)
	w.RunUntil(3 * time.Millisecond)
	nt.Restart(1)
	nt.Send(0, 1, 0, pay{})
	nt.After(1, time.Millisecond, func(*harness.World, *harness.Request, int64) { fired++ }, nil, 0)
	nt.Fsync(1, func(*harness.World, *harness.Request, int64) { synced++ }, nil, 0)
	w.RunUntil(time.Second)
	if handled != 3 || fired != 1 || synced != 1 {
		t.Errorf("handled %d (want 2 before the crash + 1 after), timers fired %d (want 1), syncs %d (want 1)", handled, fired, synced)
	}
	if nt.Stats().Crashed != 3 {
		t.Errorf("crash drops %d, want the 3 queued messages", nt.Stats().Crashed)
	}
}

// FIFO links never reorder, whatever the jitter.
func TestFIFOLinks(t *testing.T) {
	w, nt := newNet(t, 26, Config{Nodes: 2, Delay: dist(t, "1ms"), Jitter: dist(t, "exp:mean=1ms"), FIFO: true})
	last, inversions := int64(-1), 0
	nt.Handle(1, func(m *Msg[pay]) {
		if m.Payload.seq < last {
			inversions++
		}
		last = m.Payload.seq
	})
	for i := 0; i < 5000; i++ {
		w.At(time.Duration(i)*10*time.Microsecond, func(_ *harness.World, _ *harness.Request, a int64) {
			nt.Send(0, 1, 0, pay{seq: a})
		}, nil, int64(i))
	}
	w.RunUntil(time.Hour)
	if inversions != 0 || last != 4999 {
		t.Errorf("%d inversions on a FIFO link (last %d)", inversions, last)
	}
}

// A slow node's CPU takes FACTOR times as long.
func TestSlowNode(t *testing.T) {
	w, nt := newNet(t, 27, Config{Nodes: 2, CPURecv: dist(t, "1ms"), Slow: []float64{0, 4}})
	nt.Handle(0, func(*Msg[pay]) {})
	nt.Handle(1, func(*Msg[pay]) {})
	nt.Send(0, 1, 0, pay{})
	nt.Send(1, 0, 0, pay{})
	w.RunUntil(time.Second)
	if nt.CPUBusy(0) != time.Millisecond || nt.CPUBusy(1) != 4*time.Millisecond {
		t.Errorf("busy %v and %v, want 1ms and 4ms", nt.CPUBusy(0), nt.CPUBusy(1))
	}
}

func TestParseFaultVocabulary(t *testing.T) {
	good := map[string]string{
		"none": "none", "isolate:2": "isolate:2", "isolate:leader@300ms..800ms": "isolate:leader@300ms..800ms",
		"split:2": "split:2", "split:0,1/2,3,4@1s": "split:0,1/2,3,4@1s", "oneway:leader>3": "oneway:leader>3",
	}
	for in, want := range good {
		p, err := ParsePartition(in, 5)
		if err != nil || p.String() != want {
			t.Errorf("ParsePartition(%q) = %v, %v", in, p, err)
		}
	}
	for _, in := range []string{"isolate:5", "isolate", "split:5", "split:0,0/1", "oneway:1>1", "cut:1", "isolate:1@x", "isolate:1@2s..1s", "split:0,1,2,3,4"} {
		if _, err := ParsePartition(in, 5); err == nil {
			t.Errorf("ParsePartition(%q) accepted", in)
		} else if !strings.Contains(err.Error(), in) {
			t.Errorf("error %q does not name the value", err)
		}
	}
	if s, err := ParseSlow("2:4,random:0.5", 3); err != nil || len(s) != 2 || s[0].Factor != 4 || s[1].Node.Kind != SelectRandom {
		t.Errorf("ParseSlow: %v %v", s, err)
	}
	for _, in := range []string{"2", "3:2", "leader:2", "1:0", "1:NaN", "1:-2"} {
		if _, err := ParseSlow(in, 3); err == nil {
			t.Errorf("ParseSlow(%q) accepted", in)
		}
	}
	for _, in := range []string{"3", "x", "-2"} {
		if _, err := ParseSelector(in, 3); err == nil {
			t.Errorf("ParseSelector(%q) accepted", in)
		}
	}
}

// crash=leader hits whichever node the protocol names when the fault
// starts, waiting until it names one; the partition heals at its end.
func TestScheduleLeaderFaults(t *testing.T) {
	w, nt := newNet(t, 28, Config{Nodes: 5})
	leader := -1
	nt.Leader = func() int { return leader }
	w.At(350*time.Millisecond, func(*harness.World, *harness.Request, int64) { leader = 3 }, nil, 0)
	part, _ := ParsePartition("oneway:0>1@100ms..200ms", 5)
	err := nt.Schedule(Faults{Crash: Selector{Kind: SelectLeader}, CrashAt: 300 * time.Millisecond, RestartAt: time.Second, Partition: part})
	if err != nil {
		t.Fatal(err)
	}
	w.RunUntil(150 * time.Millisecond)
	if !nt.Blocked(0, 1) || nt.Blocked(1, 0) {
		t.Error("one-way partition not in place at 150ms")
	}
	w.RunUntil(340 * time.Millisecond)
	if nt.Blocked(0, 1) {
		t.Error("partition not healed at 200ms")
	}
	for i := 0; i < 5; i++ {
		if !nt.Up(i) {
			t.Errorf("node %d crashed before a leader existed", i)
		}
	}
	w.RunUntil(500 * time.Millisecond)
	if nt.Up(3) {
		t.Error("the leader (3) did not crash once it was named")
	}
	w.RunUntil(2 * time.Second)
	if !nt.Up(3) {
		t.Error("the leader did not restart at restart_at")
	}
	if err := nt.Schedule(Faults{Crash: Selector{Kind: SelectNode, Node: 1}, CrashAt: time.Second, RestartAt: time.Second}); err == nil {
		t.Error("restart_at = crash_at accepted")
	}
}

// Steady-state traffic through CPUs, FIFO links and client messages
// allocates nothing.
func TestNoAllocsCluster(t *testing.T) {
	w, nt := newNet(t, 29, Config{Nodes: 3, Jitter: dist(t, "exp:mean=100us"), FIFO: true, CPUSend: dist(t, "1us"), CPURecv: dist(t, "exp:mean=2us")})
	nt.Handle(1, func(m *Msg[pay]) { nt.ToClient(1, 0, m.Payload) })
	nt.HandleClients(func(m *Msg[pay]) {})
	step := func() {
		for i := 0; i < 64; i++ {
			nt.Send(0, 1, 0, pay{seq: int64(i)})
			nt.FromClient(1, 0, pay{seq: int64(i)})
			nt.After(1, time.Microsecond, func(*harness.World, *harness.Request, int64) {}, nil, 0)
		}
		w.RunUntil(w.Now() + time.Second)
	}
	step()
	if a := testing.AllocsPerRun(50, step); a != 0 {
		t.Errorf("%.1f allocs per 64 messages", a)
	}
}
