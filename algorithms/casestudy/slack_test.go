package casestudy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dsbench/dsbench/workloads"
)

func TestSlackCluster(t *testing.T) {
	const users, channels, joins = 3000, 400, 10
	c, err := NewSlackCluster(users, channels, joins, 1, 0.6, 8, 5, 100, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var members, subscribed int
	for ch, subs := range c.Subs {
		members += int(c.Members[ch])
		seen := map[int32]bool{}
		n := 0
		for _, g := range subs {
			if seen[g.Gateway] || g.Gateway < 0 || int(g.Gateway) >= 8 || g.Members < 1 {
				t.Fatalf("channel %d: subs %v", ch, subs)
			}
			seen[g.Gateway] = true
			n += int(g.Members)
		}
		if n > int(c.Members[ch]) {
			t.Fatalf("channel %d: %d connected of %d members", ch, n, c.Members[ch])
		}
		subscribed += n
	}
	// Every user joins exactly joins channels; every online one is
	// subscribed through its gateway to each of them.
	if members != users*joins || subscribed != c.Online*joins || math.Abs(float64(c.Online)/users-0.6) > 0.05 {
		t.Fatalf("members %d (want %d), subscribed %d (want %d), online %d", members, users*joins, subscribed, c.Online*joins, c.Online)
	}
	// Zipf channel sizes: the top channel is far larger than the median.
	if c.Members[0] < 10*c.Members[channels/2] {
		t.Fatalf("channel sizes: top %d, median-rank %d", c.Members[0], c.Members[channels/2])
	}
	// Consistent hashing: adding a sixth server moves about 1/6 of channels.
	moved, err := c.MovedOnAdd()
	if err != nil || moved < 0.5/6 || moved > 1.6/6 {
		t.Fatalf("moved on add %v (ideal %v): %v", moved, 1.0/6, err)
	}
}

// Through the harness: deliveries per message equal the connected members
// of the channels posted to, every message is counted on its channel
// server, runs are deterministic, and slow gateways show in the latency.
func TestSlackRunSim(t *testing.T) {
	a := runSim(t, "casestudy/slack-fanout", SlackWorkload, nil, 4000, 6)
	b := runSim(t, "casestudy/slack-fanout", SlackWorkload, nil, 4000, 6)
	if !sameRun(a, b) {
		t.Fatal("two runs of one seed differ")
	}
	m := a.Metrics
	var served uint64
	for _, n := range a.ShardOps {
		served += n
	}
	if a.Ops != 4000 || a.Errors != 0 || served != 4000 || len(a.ShardOps) != 8 || m["messages"] != 4000 {
		t.Fatalf("ops %d served %d shards %d %v", a.Ops, served, len(a.ShardOps), m)
	}
	// Deliveries equal, exactly, the connected members of the channels of
	// the op stream, counted on a cluster rebuilt from the same seed.
	c, _ := NewSlackCluster(20000, 2000, 20, 1, 0.7, 16, 8, 100, rand.New(rand.NewPCG(6, 0x736c)))
	ws, _ := workloads.ParseSpec(SlackWorkload)
	gen, _ := ws.Generator(6, workloads.Whole)
	var want, wantFan uint64
	var op workloads.Op
	for range 4000 {
		gen.Next(&op)
		for _, g := range c.Subs[op.Key%2000] {
			want += uint64(g.Members)
			wantFan++
		}
	}
	if m["deliveries"] != float64(want) || m["gateway_fanout"] != float64(wantFan)/4000 || m["deliveries_per_message_max"] < 5*m["deliveries_per_message"] {
		t.Fatalf("deliveries %v, want %d; fan-out %v, want %v: %v", m["deliveries"], want, m["gateway_fanout"], float64(wantFan)/4000, m)
	}
	if k := m["keys_moved_add"]; k < 0.5/9 || k > 1.6/9 || m["ideal_moved_add"] != 1.0/9 {
		t.Fatalf("moved %v", m)
	}
	slow := runSim(t, "casestudy/slack-fanout", SlackWorkload, map[string]string{"delivery_cost": "100us"}, 4000, 6)
	if slow.Latency.ValueAtQuantile(99) < 2*a.Latency.ValueAtQuantile(99) || slow.Metrics["gateway_util_max"] <= m["gateway_util_max"] {
		t.Fatalf("slow gateways: p99 %d vs %d, util %v vs %v", slow.Latency.ValueAtQuantile(99), a.Latency.ValueAtQuantile(99), slow.Metrics["gateway_util_max"], m["gateway_util_max"])
	}
	wantBad(t, "casestudy/slack-fanout", map[string]string{"channels": "10", "channels_per_user": "6"}, "channels_per_user=6", "channels=10", "valid")
}

// On the shared cluster: a gateway that crashes loses the pushes it held
// and those that reach it later, so exactly the messages of channels it
// serves fail after op_timeout (none before the crash; every failure is a
// timeout); a channel server's crash loses its channels' messages. The old
// `hop` parameter is the cluster's `delay`; servers have no leader.
func TestSlackCrashes(t *testing.T) {
	base := runSim(t, "casestudy/slack-fanout", SlackWorkload, map[string]string{"hop": "const:d=500us"}, 4000, 6)
	if base.Errors != 0 {
		t.Fatalf("no faults: %d errors", base.Errors)
	}
	for _, node := range []string{"0", "8"} { // a channel server, a gateway
		r := runSim(t, "casestudy/slack-fanout", SlackWorkload, map[string]string{"crash": node, "crash_at": "1s", "op_timeout": "200ms"}, 4000, 6)
		m := r.Metrics
		if r.Errors == 0 || float64(r.Errors) != m["timeouts"] || m["faults_injected"] != 1 || r.Errors > 4000/2 {
			t.Errorf("crash=%s: errors %d, metrics %v", node, r.Errors, m)
		}
	}
	wantBad(t, "casestudy/slack-fanout", map[string]string{"crash": "leader"}, "no leader")
	wantBad(t, "casestudy/slack-fanout", map[string]string{"crash": "24"}, `"24" is not a node`, "0 … 23")
	wantBad(t, "casestudy/slack-fanout", map[string]string{"gateways": "1020"}, "gateways=1020", "1024")
}
