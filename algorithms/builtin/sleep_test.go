package builtin

import (
	"context"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// TestSleepSimQueue: one server, 1 ms per op, ops every 0.5 ms: op k
// completes at (k+1) ms and was intended at k/2 ms, so the queue and the
// latency grow linearly — the M/D/1 overload a closed loop cannot show.
func TestSleepSimQueue(t *testing.T) {
	tg := newTarget(t, "builtin/sleep", map[string]string{"service": "1ms", "concurrency": "1"}, algorithms.Virtual)
	rep, err := harness.RunSim(context.Background(), tg.(harness.SimTarget), harness.Config{Source: rate(2000), Ops: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The last op (k = 999) is intended at 499.5 ms and completes at 1000 ms.
	if mx := time.Duration(rep.Latency.Max()); mx < 500*time.Millisecond || mx > 501*time.Millisecond {
		t.Errorf("max latency %v, want 500.5ms", mx)
	}
	if rep.Duration != 1000*time.Millisecond {
		t.Errorf("duration %v, want 1s", rep.Duration)
	}
	if q := rep.Metrics["max_queue"]; q < 495 || q > 500 {
		t.Errorf("max queue %v, want ≈ 499", q)
	}
}

// TestSleepSimUnlimited: without a queue, latency is the service time.
func TestSleepSimUnlimited(t *testing.T) {
	tg := newTarget(t, "builtin/sleep", map[string]string{"service": "exp:mean=1ms"}, algorithms.Virtual)
	rep, err := harness.RunSim(context.Background(), tg.(harness.SimTarget), harness.Config{Source: rate(5000), Ops: 50000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Latency.Mean(); m < 0.97e6 || m > 1.03e6 {
		t.Errorf("mean latency %.0fns, want ≈ 1ms (exponential service, no queue)", m)
	}
}

func TestSleepWall(t *testing.T) {
	tg := newTarget(t, "builtin/sleep", map[string]string{"service": "2ms"}, algorithms.Wall)
	rep, err := harness.RunWall(context.Background(), tg.(harness.Target), harness.Config{Source: rate(0), Closed: true, Workers: 2, Ops: 40})
	if err != nil {
		t.Fatal(err)
	}
	if p := time.Duration(rep.Latency.ValueAtQuantile(50)); p < 2*time.Millisecond-10*time.Microsecond {
		t.Errorf("median %v below the 2ms sleep", p)
	}
}
