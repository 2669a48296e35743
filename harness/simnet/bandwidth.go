package simnet

import (
	"fmt"
	"math"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// Bandwidth: bulk data as a mechanism. Control messages (Send) cross the
// network in one delay and cost CPU; bulk data (Stream) is cut into packets
// that queue on the links they cross, so a transfer's time comes from the
// bytes ahead of it on each link, and aggregate rates saturate where the
// links do (a NIC, a switch's uplink), as in GFS's measurements
// (docs/references.md, "GFS").

// Link is one direction of a link with a bandwidth: a FIFO serializer.
// Bytes handed to it at time t start when the bytes queued before them have
// left and take n/rate to cross. A rate of 0 is unlimited (no queueing).
type Link struct {
	rate  float64       // bytes per second; 0: unlimited
	free  time.Duration // when the bytes accepted so far have left
	busy  time.Duration // total time spent sending
	bytes uint64        // total bytes sent
}

// NewLink returns a link of bytesPerSecond (0: unlimited).
func NewLink(bytesPerSecond float64) *Link { return &Link{rate: bytesPerSecond} }

// Rate is the link's bandwidth in bytes per second (0: unlimited).
func (l *Link) Rate() float64 { return l.rate }

// Send queues n bytes at time now and returns when their last byte has
// left: max(now, the end of the bytes queued before) + n/rate.
func (l *Link) Send(now time.Duration, n int64) time.Duration {
	l.bytes += uint64(n)
	if l.rate <= 0 {
		return now
	}
	start := max(now, l.free)
	d := time.Duration(math.Round(float64(n) / l.rate * 1e9))
	l.free = start + d
	l.busy += d
	return l.free
}

// Free is when the bytes accepted so far will have left.
func (l *Link) Free() time.Duration { return l.free }

// Busy is the total time the link has spent sending: its utilisation over
// an interval is Busy's growth over the interval's length.
func (l *Link) Busy() time.Duration { return l.busy }

// Bytes is the total number of bytes sent.
func (l *Link) Bytes() uint64 { return l.bytes }

// DefaultPacket is the packet size of a stream when FabricConfig.Packet is 0.
const DefaultPacket = 64 << 10

// FabricConfig is the bandwidth of a two-level tree network: every node has
// a NIC (one Link each way, NIC bytes/s) and sits under one switch; every
// switch has one Link each way to the core (Switch bytes/s). A packet
// between two nodes under one switch crosses the sender's NIC out and the
// receiver's NIC in; between switches it also crosses the sender's switch's
// uplink and the receiver's switch's downlink. GFS's Fig. 3 cluster is two
// switches (chunkservers, clients) joined by 1 Gbps, with 100 Mbps NICs.
type FabricConfig struct {
	NIC, Switch float64 // bytes per second (0: unlimited)
	SwitchOf    []int   // node → switch, 0 … (nil: every node under switch 0)
	Packet      int     // bytes per packet (0: DefaultPacket)
}

type fabric struct {
	cfg          FabricConfig
	nicOut       []Link
	nicIn        []Link
	swUp, swDown []Link
	streams      []stream
	sfree        []int32
	pktFn        harness.EventFunc
	delivered    uint64 // stream bytes delivered to their last node
	aborted      uint64 // streams stopped by a crash or a partition
}

// hop is one link of a stream's route. Entering it, node at must be up and,
// when from ≥ 0, the link from→at open (the packet crosses from one node
// to the next).
type hop struct {
	link     *Link
	at, from int32
}

// stream is one bulk transfer in flight along a chain of nodes.
type stream struct {
	hops     []hop
	last     int32 // the chain's last node
	n        int64
	packets  int64
	arrived  int64
	inflight int32 // packet events scheduled
	dead     bool
	done     harness.EventFunc
	req      *harness.Request
	arg      int64
}

// SetFabric gives the cluster link bandwidths; Stream needs it.
func (nt *Net[P]) SetFabric(cfg FabricConfig) error {
	switch {
	case !(cfg.NIC >= 0) || math.IsInf(cfg.NIC, 0) || !(cfg.Switch >= 0) || math.IsInf(cfg.Switch, 0):
		return fmt.Errorf("simnet: fabric rates must be finite and ≥ 0 (nic %g, switch %g)", cfg.NIC, cfg.Switch)
	case cfg.Packet < 0:
		return fmt.Errorf("simnet: packet size %d must be ≥ 0", cfg.Packet)
	case cfg.SwitchOf != nil && len(cfg.SwitchOf) != nt.n:
		return fmt.Errorf("simnet: %d switch assignments for %d nodes", len(cfg.SwitchOf), nt.n)
	}
	if cfg.Packet == 0 {
		cfg.Packet = DefaultPacket
	}
	switches := 1
	for i, s := range cfg.SwitchOf {
		if s < 0 || s > MaxNodes {
			return fmt.Errorf("simnet: node %d on switch %d (valid: 0 … %d)", i, s, MaxNodes)
		}
		switches = max(switches, s+1)
	}
	f := &fabric{cfg: cfg, nicOut: make([]Link, nt.n), nicIn: make([]Link, nt.n),
		swUp: make([]Link, switches), swDown: make([]Link, switches)}
	for i := range f.nicOut {
		f.nicOut[i].rate, f.nicIn[i].rate = cfg.NIC, cfg.NIC
	}
	for i := range f.swUp {
		f.swUp[i].rate, f.swDown[i].rate = cfg.Switch, cfg.Switch
	}
	f.pktFn = nt.packet
	nt.fab = f
	return nil
}

// NIC returns node's NIC links, out and in (nil without a fabric).
func (nt *Net[P]) NIC(node int) (out, in *Link) {
	if nt.fab == nil {
		return nil, nil
	}
	return &nt.fab.nicOut[node], &nt.fab.nicIn[node]
}

// Uplink returns switch s's links to the core, up and down (nil without a
// fabric or for a switch no node is under).
func (nt *Net[P]) Uplink(s int) (up, down *Link) {
	if nt.fab == nil || s < 0 || s >= len(nt.fab.swUp) {
		return nil, nil
	}
	return &nt.fab.swUp[s], &nt.fab.swDown[s]
}

// StreamStats are the fabric's counters: bytes delivered by completed
// streams' packets and streams stopped by a crash or a partition.
func (nt *Net[P]) StreamStats() (delivered, aborted uint64) {
	if nt.fab == nil {
		return 0, 0
	}
	return nt.fab.delivered, nt.fab.aborted
}

func (f *fabric) switchOf(node int) int {
	if f.cfg.SwitchOf == nil {
		return 0
	}
	return f.cfg.SwitchOf[node]
}

// Stream sends n bytes from chain[0] through chain[1], … to the last node
// of chain, packet by packet (FabricConfig.Packet bytes). Every packet is
// stored and forwarded at each link of the route, queued FIFO behind the
// packets of other streams there, and every node of the chain forwards a
// packet as soon as it has received it: a pipelined push along a chain, as
// GFS pushes a mutation's data through its replicas. The sender hands its
// NIC the next packet when the previous one has left it, so streams from
// one node share its NIC packet by packet. When the last node has received
// every byte, done(w, req, arg) runs; every node before it had them by
// then. A packet that reaches a node that is down, or crosses from one
// node to the next over a blocked link, stops the stream: done never runs
// (the protocol's timeout notices, as it would a broken TCP connection).
// Stream reports false, and does nothing, if chain[0] is down or chain has
// fewer than two nodes. Streams come from a pool: once it has grown to the
// peak number in flight, a stream allocates nothing.
//
// Only serialization is modelled: a packet takes no propagation time and
// no CPU (the control messages that start and acknowledge a transfer carry
// the network's delay).
func (nt *Net[P]) Stream(chain []int, n int64, done harness.EventFunc, req *harness.Request, arg int64) bool {
	f := nt.fab
	if f == nil {
		panic("simnet: Stream without SetFabric")
	}
	if len(chain) < 2 || nt.down[chain[0]] {
		return false
	}
	var si int32
	if l := len(f.sfree); l > 0 {
		si = f.sfree[l-1]
		f.sfree = f.sfree[:l-1]
	} else {
		si = int32(len(f.streams))
		f.streams = append(f.streams, stream{})
	}
	s := &f.streams[si]
	hops := s.hops[:0]
	for i := 1; i < len(chain); i++ {
		a, b := chain[i-1], chain[i]
		hops = append(hops, hop{link: &f.nicOut[a], at: int32(a), from: -1})
		if sa, sb := f.switchOf(a), f.switchOf(b); sa != sb {
			hops = append(hops, hop{link: &f.swUp[sa], at: -1, from: -1}, hop{link: &f.swDown[sb], at: -1, from: -1})
		}
		hops = append(hops, hop{link: &f.nicIn[b], at: int32(b), from: int32(a)})
	}
	pk := int64(f.cfg.Packet)
	*s = stream{hops: hops, last: int32(chain[len(chain)-1]), n: n, packets: max(1, (n+pk-1)/pk),
		done: done, req: req, arg: arg}
	s.inflight = 1
	nt.w.At(nt.w.Now(), f.pktFn, nil, packArg(si, 0, 0))
	return true
}

// Packet events carry (stream, hop, packet) in their int64 argument.
const (
	pktBits = 28 // packets per stream < 2^28 (16 TiB at 64 KiB)
	hopBits = 12 // hops per route < 4096
)

func packArg(si int32, h int, pk int64) int64 {
	return int64(si)<<(pktBits+hopBits) | int64(h)<<pktBits | pk
}

func unpackArg(arg int64) (int32, int, int64) {
	return int32(arg >> (pktBits + hopBits)), int(arg>>pktBits) & (1<<hopBits - 1), arg & (1<<pktBits - 1)
}

// packet is packet pk of stream si entering hop h (h == len(hops): received
// by the last node).
func (nt *Net[P]) packet(w *harness.World, _ *harness.Request, arg int64) {
	f := nt.fab
	si, h, pk := unpackArg(arg)
	s := &f.streams[si]
	s.inflight--
	if s.dead {
		if s.inflight == 0 {
			f.release(si)
		}
		return
	}
	if h == len(s.hops) {
		if nt.down[s.last] {
			nt.abort(si)
			return
		}
		s.arrived++
		if s.arrived < s.packets {
			return
		}
		f.delivered += uint64(s.n)
		done, req, a := s.done, s.req, s.arg
		f.release(si)
		if done != nil {
			done(w, req, a)
		}
		return
	}
	hp := s.hops[h]
	if (hp.at >= 0 && nt.down[hp.at]) || (hp.from >= 0 && nt.blocked[int(hp.from)*nt.n+int(hp.at)]) {
		nt.abort(si)
		return
	}
	size := int64(f.cfg.Packet)
	if rest := s.n - pk*size; rest < size {
		size = max(rest, 0)
	}
	out := hp.link.Send(w.Now(), size)
	s.inflight++
	w.At(out, f.pktFn, nil, packArg(si, h+1, pk))
	if h == 0 && pk+1 < s.packets {
		s.inflight++
		w.At(out, f.pktFn, nil, packArg(si, 0, pk+1))
	}
}

func (nt *Net[P]) abort(si int32) {
	f := nt.fab
	s := &f.streams[si]
	s.dead = true
	f.aborted++
	if s.inflight == 0 {
		f.release(si)
	}
}

func (f *fabric) release(si int32) {
	s := &f.streams[si]
	hops := s.hops[:0]
	*s = stream{hops: hops}
	f.sfree = append(f.sfree, si)
}
