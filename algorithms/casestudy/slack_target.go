package casestudy

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// SlackWorkload: messages to uniformly chosen channels (whose member counts
// follow a power law) at 2000/s.
const SlackWorkload = "mix=update:1 keys=uniform:n=2000 arrival=poisson:rate=2000"

var slackParams = []algorithms.Param{
	algorithms.Param{Name: "channels", Type: algorithms.Int, Default: "2000", Doc: "channels; op.Key mod channels is the channel a message is posted to"}.Range(2, 1e6),
	algorithms.Param{Name: "users", Type: algorithms.Int, Default: "20000", Doc: "users"}.Range(1, 1e6),
	algorithms.Param{Name: "channels_per_user", Type: algorithms.Int, Default: "20", Doc: "channels each user joins, Zipf over channels (≤ channels/2)"}.Range(1, 1e4),
	algorithms.Param{Name: "channel_theta", Type: algorithms.Float, Default: "1", Doc: "Zipf exponent of channel popularity: member counts ∝ rank^−theta"}.Range(0.01, 5),
	algorithms.Param{Name: "online", Type: algorithms.Float, Default: "0.7", Doc: "share of users connected to a gateway"}.Range(0, 1),
	algorithms.Param{Name: "gateways", Type: algorithms.Int, Default: "16", Doc: "gateway servers; user u connects to hash(u) mod gateways"}.Range(1, 1e4),
	algorithms.Param{Name: "channel_servers", Type: algorithms.Int, Default: "8", Doc: "channel servers, placed on a consistent-hash ring (Outcome.Shard)"}.Range(1, 1e4),
	algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "100", Doc: "ring points per channel server"}.Range(1, 1e4),
	{Name: "hop", Type: algorithms.Dist, Default: "const:d=500us", Doc: "one network hop (client→channel server, channel server→gateway)"},
	{Name: "cs_service", Type: algorithms.Dist, Default: "exp:mean=50us", Doc: "a channel server's time per message (one at a time, FIFO)"},
	algorithms.Param{Name: "delivery_cost", Type: algorithms.Duration, Default: "5us", Doc: "a gateway's time to push a message to one connected member (one gateway is a FIFO server)"}.Range(0, float64(time.Second)),
}

func slackInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/slack-fanout",
		Description:  "Slack real-time messaging: channel servers on a consistent-hash ring, gateways fan out to connected members",
		Params:       slackParams,
		Workload:     SlackWorkload,
		DefaultClock: algorithms.Virtual,
		Check:        slackCheck,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			p := env.Params
			if err := slackCheck(p); err != nil {
				return nil, err
			}
			c, err := NewSlackCluster(p.Int("users"), p.Int("channels"), p.Int("channels_per_user"), p.Float("channel_theta"),
				p.Float("online"), p.Int("gateways"), p.Int("channel_servers"), p.Int("vnodes"), rand.New(rand.NewPCG(env.Seed, 0x736c)))
			if err != nil {
				return nil, fmt.Errorf("casestudy/slack-fanout: %w", err)
			}
			s := &slackSim{c: c, hop: p.Dist("hop"), cost: p.Duration("delivery_cost"),
				gwBusy: make([]time.Duration, c.Gateways), gwWork: make([]time.Duration, c.Gateways), gwDeliv: make([]uint64, c.Gateways),
				csMsgs: make([]uint64, p.Int("channel_servers"))}
			s.cs = newFIFONodes(p.Int("channel_servers"), 1, p.Dist("cs_service"), s.csDone)
			s.arriveFn, s.gwArriveFn, s.gwDoneFn = s.arrive, s.gwArrive, s.gwDone
			return s, nil
		},
	}
}

func slackCheck(p algorithms.Params) error {
	if j, c := p.Int("channels_per_user"), p.Int("channels"); j > c/2 {
		return fmt.Errorf("casestudy/slack-fanout: channels_per_user=%d with channels=%d: a user joins at most half the channels (valid: channels_per_user ≤ %d)", j, c, c/2)
	}
	if s, v := p.Int("channel_servers"), p.Int("vnodes"); s*v > 20_000_000 {
		return fmt.Errorf("casestudy/slack-fanout: channel_servers=%d × vnodes=%d ring points exceed 20000000 (valid: lower either)", s, v)
	}
	return nil
}

type slackMsg struct {
	req     *harness.Request
	channel int32
	server  int32
	pending int32 // gateways still delivering
}

// slackSim: a message hops to its channel's server (a FIFO server), which
// sends it to each subscribed gateway (one hop each); a gateway pushes it to
// its connected members at delivery_cost each, one message at a time in
// arrival order. The op completes when the last member has it.
type slackSim struct {
	c                              *SlackCluster
	hop                            workloads.DurationDist
	cost                           time.Duration
	cs                             *fifoNodes
	msgs                           []slackMsg
	free                           []int32
	gwBusy, gwWork                 []time.Duration // busy until; total work
	gwDeliv                        []uint64
	csMsgs                         []uint64
	arriveFn, gwArriveFn, gwDoneFn harness.EventFunc
	n, deliveries, maxDeliv        uint64
	fanout, maxFanout              uint64
	lastNow                        time.Duration
}

func (s *slackSim) Start(w *harness.World, req *harness.Request) {
	ch := int(req.Op.Key % uint64(len(s.c.Subs)))
	var slot int32
	if n := len(s.free); n > 0 {
		slot = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		slot = int32(len(s.msgs))
		s.msgs = append(s.msgs, slackMsg{})
	}
	s.msgs[slot] = slackMsg{req: req, channel: int32(ch), server: int32(s.c.Server(ch))}
	w.After(s.hop.Next(w.Rand()), s.arriveFn, nil, int64(slot))
}

// arrive: the message reaches its channel server's queue.
func (s *slackSim) arrive(w *harness.World, _ *harness.Request, slot int64) {
	s.cs.submit(w, int(s.msgs[slot].server), slot)
}

// csDone: the channel server sends the message to every subscribed gateway.
func (s *slackSim) csDone(w *harness.World, slot int64) {
	m := &s.msgs[slot]
	subs := s.c.Subs[m.channel]
	s.n++
	s.csMsgs[m.server]++
	s.fanout += uint64(len(subs))
	s.maxFanout = max(s.maxFanout, uint64(len(subs)))
	var deliv uint64
	for _, g := range subs {
		deliv += uint64(g.Members)
	}
	s.deliveries += deliv
	s.maxDeliv = max(s.maxDeliv, deliv)
	if len(subs) == 0 {
		s.finish(w, slot)
		return
	}
	m.pending = int32(len(subs))
	for i := range subs {
		w.After(s.hop.Next(w.Rand()), s.gwArriveFn, nil, slot<<20|int64(i))
	}
}

// gwArrive: the i-th subscribed gateway queues the pushes.
func (s *slackSim) gwArrive(w *harness.World, _ *harness.Request, arg int64) {
	slot, i := arg>>20, int(arg&(1<<20-1))
	g := s.c.Subs[s.msgs[slot].channel][i]
	start := max(w.Now(), s.gwBusy[g.Gateway])
	work := s.cost * time.Duration(g.Members)
	s.gwBusy[g.Gateway] = start + work
	s.gwWork[g.Gateway] += work
	s.gwDeliv[g.Gateway] += uint64(g.Members)
	w.At(start+work, s.gwDoneFn, nil, slot)
}

func (s *slackSim) gwDone(w *harness.World, _ *harness.Request, slot int64) {
	m := &s.msgs[slot]
	if m.pending--; m.pending == 0 {
		s.finish(w, slot)
	}
}

func (s *slackSim) finish(w *harness.World, slot int64) {
	s.lastNow = w.Now()
	m := s.msgs[slot]
	s.msgs[slot] = slackMsg{}
	s.free = append(s.free, int32(slot))
	w.Complete(m.req, harness.Outcome{Shard: m.server})
}

// Metrics: see NOTES.md.
func (s *slackSim) Metrics() map[string]float64 {
	m := map[string]float64{
		"messages":                   float64(s.n),
		"deliveries":                 float64(s.deliveries),
		"deliveries_per_message_max": float64(s.maxDeliv),
		"gateway_fanout_max":         float64(s.maxFanout),
		"online_users":               float64(s.c.Online),
		"ideal_moved_add":            1 / float64(len(s.c.nodes)+1),
	}
	if s.n > 0 {
		m["deliveries_per_message"] = float64(s.deliveries) / float64(s.n)
		m["gateway_fanout"] = float64(s.fanout) / float64(s.n)
	}
	var maxMembers int32
	for _, n := range s.c.Members {
		maxMembers = max(maxMembers, n)
	}
	m["channel_members_max"] = float64(maxMembers)
	var sum, hi uint64
	var uhi float64
	for g, d := range s.gwDeliv {
		sum += d
		hi = max(hi, d)
		if s.lastNow > 0 {
			uhi = max(uhi, float64(s.gwWork[g])/float64(s.lastNow))
		}
	}
	if sum > 0 {
		m["gateway_deliveries_max_mean"] = float64(hi) / (float64(sum) / float64(len(s.gwDeliv)))
	}
	m["gateway_util_max"] = uhi
	// Channels (not messages) per channel server: the ring's balance.
	per := make([]int, len(s.csMsgs))
	for ch := range s.c.Subs {
		per[s.c.Server(ch)]++
	}
	lo, top := len(s.c.Subs), 0
	for _, n := range per {
		lo, top = min(lo, n), max(top, n)
	}
	m["channels_per_server_min"], m["channels_per_server_max"] = float64(lo), float64(top)
	if moved, err := s.c.MovedOnAdd(); err == nil {
		m["keys_moved_add"] = moved
	}
	return m
}
