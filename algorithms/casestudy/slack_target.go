package casestudy

import (
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
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
	algorithms.Param{Name: "gateways", Type: algorithms.Int, Default: "16", Doc: "gateway servers (cluster nodes channel_servers … channel_servers+gateways−1); user u connects to hash(u) mod gateways"}.Range(1, simnet.MaxNodes-1),
	algorithms.Param{Name: "channel_servers", Type: algorithms.Int, Default: "8", Doc: "channel servers (cluster nodes 0 … channel_servers−1), placed on a consistent-hash ring (Outcome.Shard)"}.Range(1, simnet.MaxNodes-1),
	algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "100", Doc: "ring points per channel server"}.Range(1, 1e4),
	{Name: "cs_service", Type: algorithms.Dist, Default: "exp:mean=50us", Doc: "a channel server's CPU time per message"},
	algorithms.Param{Name: "delivery_cost", Type: algorithms.Duration, Default: "5us", Doc: "a gateway's CPU time to push a message to one connected member"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "op_timeout", Type: algorithms.Duration, Default: "5s", Doc: "a message not delivered to every connected member within this fails (a crashed server loses what it held)"}.Range(float64(time.Millisecond), float64(time.Hour)),
}

// slackCluster: channel servers and gateways are the shared cluster's
// nodes (their number follows from channel_servers + gateways, so `nodes`
// is not a parameter); the cluster's delay is one network hop (it replaces
// the old `hop`). Loss and duplication are not offered: Slack's hops are
// TCP/websocket streams, and a lost push is not retried here.
var slackCluster = &algorithms.ClusterSpec{
	Omit: []string{simnet.ParamNodes, simnet.ParamLoss, simnet.ParamDup},
}

func slackInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/slack-fanout",
		Description:  "Slack real-time messaging: channel servers on a consistent-hash ring, gateways fan out to connected members (virtual time, on the shared cluster)",
		Params:       slackParams,
		Workload:     SlackWorkload,
		DefaultClock: algorithms.Virtual,
		Cluster:      slackCluster,
		Aliases:      map[string]string{"hop": simnet.ParamDelay},
		Check:        slackCheck,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			p := env.Params
			if err := slackCheck(p); err != nil {
				return nil, err
			}
			cl, _ := slackClusterOf(p)
			c, err := NewSlackCluster(p.Int("users"), p.Int("channels"), p.Int("channels_per_user"), p.Float("channel_theta"),
				p.Float("online"), p.Int("gateways"), p.Int("channel_servers"), p.Int("vnodes"), rand.New(rand.NewPCG(env.Seed, 0x736c)))
			if err != nil {
				return nil, fmt.Errorf("casestudy/slack-fanout: %w", err)
			}
			s := &slackSim{c: c, cluster: cl, servers: p.Int("channel_servers"), csSvc: p.Dist("cs_service"), cost: p.Duration("delivery_cost"),
				timeout: p.Duration("op_timeout"), gwDeliv: make([]uint64, c.Gateways), csMsgs: make([]uint64, p.Int("channel_servers"))}
			s.pushedFn, s.timeoutFn = s.pushed, s.expire
			return s, nil
		},
	}
}

func slackClusterOf(p algorithms.Params) (algorithms.Cluster, error) {
	return algorithms.ClusterOfNodes(p, p.Int("channel_servers")+p.Int("gateways"))
}

func slackCheck(p algorithms.Params) error {
	if j, c := p.Int("channels_per_user"), p.Int("channels"); j > c/2 {
		return fmt.Errorf("casestudy/slack-fanout: channels_per_user=%d with channels=%d: a user joins at most half the channels (valid: channels_per_user ≤ %d)", j, c, c/2)
	}
	if s, v := p.Int("channel_servers"), p.Int("vnodes"); s*v > 20_000_000 {
		return fmt.Errorf("casestudy/slack-fanout: channel_servers=%d × vnodes=%d ring points exceed 20000000 (valid: lower either)", s, v)
	}
	if s, g := p.Int("channel_servers"), p.Int("gateways"); s+g > simnet.MaxNodes {
		return fmt.Errorf("casestudy/slack-fanout: channel_servers=%d + gateways=%d = %d cluster nodes (valid: at most %d)", s, g, s+g, simnet.MaxNodes)
	}
	c, err := slackClusterOf(p)
	if err != nil {
		return fmt.Errorf("casestudy/slack-fanout: %v", err)
	}
	for _, sel := range []simnet.Selector{c.Faults.Crash, c.Faults.Partition.A} {
		if sel.Kind == simnet.SelectLeader {
			return fmt.Errorf("casestudy/slack-fanout: Slack's servers have no leader to crash or isolate (valid: crash=NODE|random, nodes 0…%d channel servers, then gateways)", p.Int("channel_servers")-1)
		}
	}
	return nil
}

// Message kinds on the cluster.
const (
	slackPost simnet.Kind = iota // client → channel server
	slackFan                     // channel server → gateway
)

var slackKinds = []string{"post", "fanout"}

// slackPay is the payload: the message's slot and generation, and which of
// its channel's subscribed gateways a fan-out copy is for.
type slackPay struct {
	slot int32
	gen  uint32
	sub  int32
}

type slackMsg struct {
	req     *harness.Request
	gen     uint32
	channel int32
	server  int32
	pending int32 // gateways still delivering
	live    bool
}

// slackSim: a message crosses the network to its channel's server (a simnet
// node), which spends cs_service on it and sends it to each subscribed
// gateway; a gateway (a simnet node) spends delivery_cost per connected
// member pushing it, on one processor in arrival order. The op completes when
// the last member has it.
type slackSim struct {
	c         *SlackCluster
	cluster   algorithms.Cluster
	servers   int
	csSvc     workloads.DurationDist
	cost      time.Duration
	timeout   time.Duration
	w         *harness.World
	nt        *simnet.Net[slackPay]
	msgs      []slackMsg
	free      slots.Free
	gwDeliv   []uint64
	csMsgs    []uint64
	pushedFn  harness.EventFunc
	timeoutFn harness.EventFunc

	n, deliveries, maxDeliv, timeouts uint64
	fanout, maxFanout                 uint64
	lastNow                           time.Duration
}

// Setup builds the cluster on the run's world.
func (s *slackSim) Setup(w *harness.World) {
	s.w = w
	nt, err := algorithms.NewNet[slackPay](w, s.cluster, slackKinds)
	if err != nil {
		panic(err) // checked by slackCheck
	}
	s.nt = nt
	for i := 0; i < nt.Nodes(); i++ {
		if i < s.servers {
			nt.Handle(i, s.atServer)
		} else {
			nt.Handle(i, s.atGateway)
		}
	}
	if err := nt.Schedule(s.cluster.Faults); err != nil {
		panic(err)
	}
}

func (s *slackSim) Start(w *harness.World, req *harness.Request) {
	ch := int(req.Op.Key % uint64(len(s.c.Subs)))
	slot := slots.Take(&s.free, &s.msgs)
	m := &s.msgs[slot]
	*m = slackMsg{req: req, gen: m.gen + 1, channel: int32(ch), server: int32(s.c.Server(ch)), live: true}
	w.After(s.timeout, s.timeoutFn, nil, int64(slot)<<32|int64(m.gen))
	s.nt.FromClient(int(m.server), slackPost, slackPay{slot: slot, gen: m.gen})
}

// atServer: the channel server spends cs_service on the message, then sends
// it to every subscribed gateway (its CPU sends them one after another).
func (s *slackSim) atServer(msg *simnet.Msg[slackPay]) {
	p := msg.Payload
	m := &s.msgs[p.slot]
	if !m.live || m.gen != p.gen {
		return
	}
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
	done := s.nt.Work(msg.To, s.csSvc.Next(s.w.Rand()))
	if len(subs) == 0 {
		s.nt.After(msg.To, done-s.w.Now(), s.pushedFn, nil, int64(p.slot)<<32|int64(p.gen))
		return
	}
	m.pending = int32(len(subs))
	for i, g := range subs {
		s.nt.Send(msg.To, s.servers+int(g.Gateway), slackFan, slackPay{slot: p.slot, gen: p.gen, sub: int32(i)})
	}
}

// atGateway: the gateway pushes the message to its connected members of
// the channel, delivery_cost each.
func (s *slackSim) atGateway(msg *simnet.Msg[slackPay]) {
	p := msg.Payload
	m := &s.msgs[p.slot]
	if !m.live || m.gen != p.gen {
		return
	}
	g := s.c.Subs[m.channel][p.sub]
	s.gwDeliv[g.Gateway] += uint64(g.Members)
	done := s.nt.Work(msg.To, s.cost*time.Duration(g.Members))
	s.nt.After(msg.To, done-s.w.Now(), s.pushedFn, nil, int64(p.slot)<<32|int64(p.gen))
}

// pushed: a gateway (or, for a channel with none, the server) is done.
func (s *slackSim) pushed(w *harness.World, _ *harness.Request, arg int64) {
	slot, gen := int32(arg>>32), uint32(arg)
	m := &s.msgs[slot]
	if !m.live || m.gen != gen {
		return
	}
	if m.pending--; m.pending <= 0 {
		s.finish(slot, nil)
	}
}

// expire fails a message not delivered within op_timeout (a crashed server
// or gateway lost it).
func (s *slackSim) expire(_ *harness.World, _ *harness.Request, arg int64) {
	slot, gen := int32(arg>>32), uint32(arg)
	if m := &s.msgs[slot]; m.live && m.gen == gen {
		s.timeouts++
		s.finish(slot, errSlackTimeout)
	}
}

var errSlackTimeout = fmt.Errorf("casestudy/slack-fanout: message not delivered within op_timeout")

func (s *slackSim) finish(slot int32, err error) {
	s.lastNow = s.w.Now()
	m := &s.msgs[slot]
	req, server := m.req, m.server
	m.live, m.req = false, nil
	s.free.Put(slot)
	s.w.Complete(req, harness.Outcome{Shard: server, Err: err})
}

// Metrics: see NOTES.md.
func (s *slackSim) Metrics() map[string]float64 {
	m := algorithms.ClusterMetrics(s.nt, s.n, s.lastNow)
	for k, v := range map[string]float64{
		"timeouts":                   float64(s.timeouts),
		"messages":                   float64(s.n),
		"deliveries":                 float64(s.deliveries),
		"deliveries_per_message_max": float64(s.maxDeliv),
		"gateway_fanout_max":         float64(s.maxFanout),
		"online_users":               float64(s.c.Online),
		"ideal_moved_add":            1 / float64(len(s.c.nodes)+1),
	} {
		m[k] = v
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
			uhi = max(uhi, float64(s.nt.CPUBusy(s.servers+g))/float64(s.lastNow))
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
