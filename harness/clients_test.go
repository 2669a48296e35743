package harness

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// Per-client state grows with the clients that sent, not with the largest
// id: clients=4294967295 (the spread's documented maximum) and a trace
// client id of 2^32−1 cost a map entry each, not a 32 GiB array.
func TestClientsSeenNotLargestID(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sink := newIntervalSink(time.Second)
	recs := []*recorder{newRecorder(false, 0, 1<<32-1, sink), newRecorder(false, 0, 1<<32-1, sink)}
	var now time.Duration
	for i, id := range []uint32{3, 70_000, 1<<32 - 2, 3, 1<<32 - 2, 1<<32 - 2} {
		r := recs[i%2]
		if now == 0 {
			recs[0].start(0)
			recs[1].start(0)
		}
		now += time.Microsecond
		op := workloads.Op{Kind: workloads.Read, Client: id}
		r.record(&op, Outcome{Shard: NoShard, Denied: id == 3}, now, now, now+10)
	}
	for _, r := range recs {
		r.flushInterval()
	}
	rep := merge(recs, false, 0, 1<<32-1)
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<20 {
		t.Errorf("per-client state took %d MiB", grew>>20)
	}
	if !slices.Equal(rep.ClientIDs, []uint32{3, 70_000, 1<<32 - 2}) || !slices.Equal(rep.ClientOps, []uint64{2, 1, 3}) ||
		!slices.Equal(rep.ClientDenied, []uint64{2, 0, 0}) || rep.Clients != 1<<32-1 {
		t.Errorf("clients %v ops %v denied %v of %d", rep.ClientIDs, rep.ClientOps, rep.ClientDenied, rep.Clients)
	}
	// Small ids stay dense and indexed by id, as before.
	small := []*recorder{newRecorder(true, 0, 7, sink)}
	small[0].start(0)
	for _, id := range []uint32{1, 5, 5} {
		op := workloads.Op{Kind: workloads.Read, Client: id}
		small[0].record(&op, Outcome{Shard: NoShard}, 1, 1, 2)
	}
	small[0].flushInterval()
	rep = merge(small, true, 0, 7)
	if rep.ClientIDs != nil || !slices.Equal(rep.ClientOps, []uint64{0, 1, 0, 0, 0, 2, 0}) {
		t.Errorf("dense clients: ids %v ops %v", rep.ClientIDs, rep.ClientOps)
	}
}

// More closed-loop workers than ops: a worker whose share of Ops is 0 must
// not read it as "no limit" and run forever.
func TestMoreWorkersThanOps(t *testing.T) {
	done := make(chan *Report, 1)
	go func() {
		rep, err := RunWall(context.Background(), shardTarget{1}, Config{Source: constRate(0, 5, 1), Closed: true, Workers: 64, Ops: 10})
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	select {
	case rep := <-done:
		if rep != nil && rep.Ops != 10 {
			t.Errorf("%d ops, want 10", rep.Ops)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("64 workers for 10 ops never ended")
	}
}
