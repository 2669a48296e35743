package casestudy

import (
	"fmt"
	"math/rand/v2"

	"github.com/dsbench/dsbench/algorithms/hashing"
	"github.com/dsbench/dsbench/workloads"
)

// GatewayShare is how many of a channel's connected members one gateway
// holds: the gateway is subscribed to the channel on their behalf.
type GatewayShare struct {
	Gateway int32
	Members int32
}

// SlackCluster is Slack's real-time messaging topology: channel servers
// own channels by consistent hashing on the channel id; each connected user
// holds a websocket to one gateway server, which subscribes to the user's
// channels; a message goes to the channel's server, which sends it to every
// gateway subscribed to the channel, which pushes it to each connected
// member there.
type SlackCluster struct {
	Ring     *hashing.Ring
	Subs     [][]GatewayShare // per channel: subscribed gateways
	Members  []int32          // per channel: members (online or not)
	Online   int              // connected users
	Gateways int
	nodes    []hashing.Node
	vnodes   int
}

// NewSlackCluster builds the topology: every user joins `joins` distinct
// channels drawn from Zipf(theta) over channels (channel sizes follow a power
// law), is connected with probability online, to gateway hash(user) mod
// gateways; channel servers sit on a ring with vnodes points each.
func NewSlackCluster(users, channels, joins int, theta, online float64, gateways, servers, vnodes int, r *rand.Rand) (*SlackCluster, error) {
	if joins > channels/2 {
		return nil, fmt.Errorf("channels_per_user=%d with channels=%d: need ≤ channels/2", joins, channels)
	}
	nodes, err := hashing.Nodes(servers, nil)
	if err != nil {
		return nil, err
	}
	ring, err := hashing.NewRing(nodes, vnodes, hashing.XXHash)
	if err != nil {
		return nil, err
	}
	z, err := workloads.NewZipf(theta, uint64(channels), false)
	if err != nil {
		return nil, err
	}
	c := &SlackCluster{Ring: ring, Subs: make([][]GatewayShare, channels), Members: make([]int32, channels),
		Gateways: gateways, nodes: nodes, vnodes: vnodes}
	seen := make([]int32, channels)
	for u := range users {
		on := r.Float64() < online
		gw := int32(hashing.XXHash.Sum64(uint64(u)) % uint64(gateways))
		if on {
			c.Online++
		}
		for n, tries := 0, 0; n < joins; tries++ {
			ch := int(z.Next(r))
			if tries >= 64*joins {
				ch = r.IntN(channels)
			}
			if seen[ch] == int32(u+1) {
				continue
			}
			seen[ch] = int32(u + 1)
			n++
			c.Members[ch]++
			if on {
				c.subscribe(ch, gw)
			}
		}
	}
	return c, nil
}

func (c *SlackCluster) subscribe(ch int, gw int32) {
	for i := range c.Subs[ch] {
		if c.Subs[ch][i].Gateway == gw {
			c.Subs[ch][i].Members++
			return
		}
	}
	c.Subs[ch] = append(c.Subs[ch], GatewayShare{gw, 1})
}

// Server returns the channel server that owns ch.
func (c *SlackCluster) Server(ch int) int { return c.Ring.Locate(uint64(ch)) }

// MovedOnAdd is the share of channels whose server changes when one channel
// server joins the ring (the ideal is 1/(servers+1)).
func (c *SlackCluster) MovedOnAdd() (float64, error) {
	after := append(append([]hashing.Node(nil), c.nodes...), hashing.Node{ID: uint64(len(c.nodes)), Weight: 1})
	keys := make([]uint64, len(c.Subs))
	for i := range keys {
		keys[i] = uint64(i)
	}
	build := func(n []hashing.Node) (hashing.Locator, error) { return hashing.NewRing(n, c.vnodes, hashing.XXHash) }
	return hashing.Moved(build, c.nodes, after, keys)
}
