package gfs

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// The client library: each client machine runs one op at a time, taking
// the next op waiting in arrival order, as the paper's benchmark clients
// issue theirs back to back. An op is a sequence of steps (a master
// lookup when the chunk's location or lease is not cached, a data push,
// a write request, a read); a step that fails or times out is retried
// after a backoff with a fresh lookup, up to Config.Retries times.

// Start queues req for the next free client machine.
func (s *Sim) Start(w *harness.World, req *harness.Request) {
	if !s.started {
		s.started, s.first = true, w.Now()
	}
	s.ready = append(s.ready, req)
	s.dispatch()
}

func (s *Sim) dispatch() {
	for len(s.idle) > 0 && s.rhead < len(s.ready) {
		c := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		req := s.ready[s.rhead]
		s.ready[s.rhead] = nil
		s.rhead++
		if s.rhead > 1024 && s.rhead*2 > len(s.ready) {
			s.ready = s.ready[:copy(s.ready, s.ready[s.rhead:])]
			s.rhead = 0
		}
		s.begin(c, req)
	}
}

func (s *Sim) fileSetBytes() int64 { return int64(s.dataset) * s.cfg.ChunkSize }

func (s *Sim) begin(c int32, req *harness.Request) {
	cl := &s.clients[c]
	op, _ := opOf(req.Op.Kind)
	size := max(int64(req.Op.Size), 1)
	cl.busy = true
	cl.cur = cop{req: req, op: op, gen: cl.cur.gen + 1, size: size, file: -1, shard: harness.NoShard}
	cur := &cl.cur
	switch op {
	case opRead, opWrite:
		total := s.fileSetBytes()
		size = min(size, total)
		regions := uint64(total / size)
		cur.pos = int64(req.Op.Key%regions) * size
		cur.remaining, cur.size = size, size
	case opAppend:
		if size > s.cfg.ChunkSize/4 {
			s.complete(c, ErrTooLarge)
			return
		}
		cur.file = int32(req.Op.Key % uint64(s.cfg.AppendFiles))
		s.nextID++
		cur.rec = s.nextID
		cur.n = size
	}
	s.step(c)
}

func (s *Sim) node(c int32) int { return s.master + 1 + int(c) }

// step runs the op's next step.
func (s *Sim) step(c int32) {
	cl := &s.clients[c]
	cur := &cl.cur
	if cur.op == opAppend {
		at, ok := cl.append[cur.file]
		if !ok || at[1] < 0 {
			idx := int32(-1)
			if ok {
				idx = at[0]
			}
			s.lookup(c, -1, cur.file, idx, true)
			return
		}
		cur.chunk = at[1]
		if l, ok := cl.cache[cur.chunk]; !ok || !s.leaseUsable(l) {
			s.lookup(c, cur.chunk, cur.file, at[0], true)
			return
		}
		s.push(c)
		return
	}
	cs := s.cfg.ChunkSize
	cur.chunk, cur.off = int32(cur.pos/cs), cur.pos%cs
	cur.n = min(cur.remaining, cs-cur.off)
	l, ok := cl.cache[cur.chunk]
	if cur.op == opRead {
		if !ok {
			s.lookup(c, cur.chunk, -1, 0, false)
			return
		}
		if s.lastWrite != nil {
			cur.expect = s.lastWrite[[2]int64{int64(cur.chunk), cur.off}]
		}
		to := l.reps[s.w.Rand().IntN(int(l.nrep))]
		cur.shard = int32(to)
		cur.gen++
		s.net.Send(s.node(c), int(to), mRead, msg{op: c, gen: cur.gen, chunk: cur.chunk, off: cur.off, n: cur.n, ver: l.ver, serial: cur.expect})
		s.arm(c, cur.n)
		return
	}
	if !ok || !s.leaseUsable(l) {
		s.lookup(c, cur.chunk, -1, 0, true)
		return
	}
	s.push(c)
}

// leaseUsable: the client knows the chunk's lease holder. As in GFS it
// does not time the lease itself: a primary whose lease ended refuses the
// write, and the client asks the master again (redirect, below).
func (s *Sim) leaseUsable(l loc) bool { return l.primary >= 0 }

// arm sets the timeout of the step in progress: Config.Timeout plus four
// times the transfer's time on a NIC (it may queue behind others).
func (s *Sim) arm(c int32, bytes int64) {
	d := s.cfg.Timeout + time.Duration(4*float64(bytes)/s.cfg.LinkBW*1e9)
	s.w.After(d, s.cTimeoutFn, nil, int64(c)|int64(s.clients[c].cur.gen)<<32)
}

func (s *Sim) lookup(c int32, chunk, file, idx int32, lease bool) {
	cur := &s.clients[c].cur
	cur.gen++
	s.net.Send(s.node(c), s.master, mLookup, msg{op: c, gen: cur.gen, chunk: chunk, file: file, idx: idx, lease: lease})
	s.arm(c, 0)
}

// push sends the data along a chain of the replicas, each forwarding to
// the closest replica that has not received it (the same switch first).
func (s *Sim) push(c int32) {
	cl := &s.clients[c]
	cur := &cl.cur
	l := cl.cache[cur.chunk]
	s.nextID++
	cur.id = s.nextID
	cur.gen++
	chain := append(s.chain[:0], s.node(c))
	left := l.reps[:l.nrep]
	var rest [maxReps]int16
	k := copy(rest[:], left)
	for k > 0 {
		at := chain[len(chain)-1]
		pick := 0
		for j := 0; j < k; j++ {
			if s.sw[rest[j]] == s.sw[at] {
				pick = j
				break
			}
		}
		chain = append(chain, int(rest[pick]))
		copy(rest[pick:], rest[pick+1:k])
		k--
	}
	s.chain = chain
	s.net.Stream(chain, cur.n, s.pushDoneFn, nil, int64(c)|int64(cur.gen)<<32)
	s.arm(c, cur.n)
}

// pushDone: the last replica of the chain holds the data (so every one
// before it does); each buffers it and the last acknowledges to the client.
func (s *Sim) pushDone(_ *harness.World, _ *harness.Request, arg int64) {
	c, gen := int32(arg&0xffffffff), uint32(arg>>32)
	cl := &s.clients[c]
	cur := &cl.cur
	if cur.req == nil || cur.gen != gen {
		return
	}
	l := cl.cache[cur.chunk]
	for _, r := range l.reps[:l.nrep] {
		if s.net.Up(int(r)) {
			s.servers[r].buf[cur.id] = pushed{n: cur.n, at: s.w.Now()}
		}
	}
	// The chain's last node sends the ack (it is up: the stream completed).
	s.net.Send(s.chainEnd(c, l), s.node(c), mPushAck, msg{op: c, gen: gen})
}

// chainEnd recomputes the last node of c's push chain.
func (s *Sim) chainEnd(c int32, l loc) int {
	at := s.node(c)
	var rest [maxReps]int16
	k := copy(rest[:], l.reps[:l.nrep])
	for k > 0 {
		pick := 0
		for j := 0; j < k; j++ {
			if s.sw[rest[j]] == s.sw[at] {
				pick = j
				break
			}
		}
		at = int(rest[pick])
		copy(rest[pick:], rest[pick+1:k])
		k--
	}
	return at
}

func (s *Sim) readDone(_ *harness.World, _ *harness.Request, arg int64) {
	c, gen := int32(arg&0xffffffff), uint32(arg>>32)
	cur := &s.clients[c].cur
	if cur.req == nil || cur.gen != gen {
		return
	}
	s.pieceDone(c)
}

func (s *Sim) pieceDone(c int32) {
	cur := &s.clients[c].cur
	cur.redirected = false
	cur.pos += cur.n
	cur.remaining -= cur.n
	if cur.remaining > 0 {
		s.step(c)
		return
	}
	s.complete(c, nil)
}

func (s *Sim) onClient(m *simnet.Msg[msg]) {
	c := int32(m.To - s.master - 1)
	cl := &s.clients[c]
	cur := &cl.cur
	p := &m.Payload
	if cur.req == nil || p.gen != cur.gen {
		return // a late answer to an abandoned step
	}
	switch m.Kind {
	case mLookupReply:
		if p.code != codeOK {
			s.failAttempt(c)
			return
		}
		cl.cache[p.chunk] = loc{ver: p.ver, primary: p.primary, leaseExp: p.exp, nrep: p.nrep, reps: p.reps}
		if cur.op == opAppend {
			cl.append[cur.file] = [2]int32{p.idx, p.chunk}
		}
		s.step(c)
	case mReadErr:
		s.failAttempt(c)
	case mPushAck:
		l := cl.cache[cur.chunk]
		cur.gen++
		mut := mutWrite
		if cur.op == opAppend {
			mut = mutAppend
		}
		cur.shard = int32(l.primary)
		s.net.Send(s.node(c), int(l.primary), mWrite, msg{op: c, gen: cur.gen, chunk: cur.chunk, id: cur.id, rec: cur.rec,
			off: cur.off, n: cur.n, ver: l.ver, mut: mut})
		s.arm(c, 0)
	case mWriteReply:
		switch p.code {
		case codeOK:
			if s.acked != nil {
				s.acked[cur.id] = cur.chunk
				if cur.op == opWrite {
					k := [2]int64{int64(cur.chunk), cur.off}
					s.lastWrite[k] = max(s.lastWrite[k], p.serial)
				}
			}
			if cur.op == opAppend {
				s.complete(c, nil)
				return
			}
			s.pieceDone(c)
		case codeNotPrimary:
			// The cached primary no longer holds the lease: ask the
			// master once at once; a second refusal is a failed attempt.
			if cur.redirected {
				s.failAttempt(c)
				return
			}
			cur.redirected = true
			delete(cl.cache, cur.chunk)
			if cur.op == opAppend {
				at := cl.append[cur.file]
				cl.append[cur.file] = [2]int32{at[0], -1}
			}
			s.redirects++
			s.step(c)
		case codeChunkFull:
			at := cl.append[cur.file]
			cl.append[cur.file] = [2]int32{at[0] + 1, -1}
			s.step(c)
		default:
			s.failAttempt(c)
		}
	}
}

func (s *Sim) clientTimeout(_ *harness.World, _ *harness.Request, arg int64) {
	c, gen := int32(arg&0xffffffff), uint32(arg>>32)
	if cur := &s.clients[c].cur; cur.req != nil && cur.gen == gen {
		s.failAttempt(c)
	}
}

// failAttempt: the step failed; forget the chunk's cached location and
// retry after a backoff, or fail the op.
func (s *Sim) failAttempt(c int32) {
	cl := &s.clients[c]
	cur := &cl.cur
	delete(cl.cache, cur.chunk)
	if cur.op == opAppend {
		if at, ok := cl.append[cur.file]; ok {
			cl.append[cur.file] = [2]int32{at[0], -1}
		}
		if !s.cfg.AppendRetries {
			s.complete(c, ErrLost)
			return
		}
	}
	cur.attempt++
	if cur.attempt > s.cfg.Retries {
		s.complete(c, ErrFailed)
		return
	}
	s.retries++
	cur.gen++
	wait := min(100*time.Millisecond<<min(cur.attempt-1, 5), 2*time.Second)
	s.w.After(wait, s.retryFn, nil, int64(c)|int64(cur.gen)<<32)
}

func (s *Sim) retry(_ *harness.World, _ *harness.Request, arg int64) {
	c, gen := int32(arg&0xffffffff), uint32(arg>>32)
	if cur := &s.clients[c].cur; cur.req != nil && cur.gen == gen {
		s.step(c)
	}
}

func (s *Sim) complete(c int32, err error) {
	cl := &s.clients[c]
	cur := &cl.cur
	req := cur.req
	if err == nil {
		switch cur.op {
		case opRead:
			s.readBytes += cur.size
		case opWrite:
			s.writeBytes += cur.size
		case opAppend:
			s.appendBytes += cur.n
		}
	} else {
		s.failed++
	}
	if cur.op == opAppend {
		delete(s.record, cur.rec)
	}
	cur.req = nil
	cur.gen++
	cl.busy = false
	s.idle = append(s.idle, c)
	s.opsDone++
	s.last = s.w.Now()
	s.w.Complete(req, harness.Outcome{Shard: cur.shard, Err: err})
	s.dispatch()
}

// checkRead (Config.Record) counts a read served from a replica older
// than the last write acknowledged to the region before the read began.
func (s *Sim) checkRead(r *replica, p *msg) {
	if r.regions[p.off].serial < p.serial {
		s.staleReads++
	}
}

// Metrics are the family's figures; the rates are over the span from the
// first op's start to the last op's end.
func (s *Sim) Metrics() map[string]float64 {
	el := s.last - s.first
	m := algorithms.ClusterMetrics(s.net, s.opsDone, el)
	rate := func(x float64) float64 {
		if el <= 0 {
			return 0
		}
		return x / el.Seconds()
	}
	m["read_mb_s"] = rate(float64(s.readBytes) / 1e6)
	m["write_mb_s"] = rate(float64(s.writeBytes) / 1e6)
	m["append_mb_s"] = rate(float64(s.appendBytes) / 1e6)
	m["duplicates"] = float64(s.duplicates)
	m["padding_bytes"] = float64(s.padding)
	m["master_ops_s"] = rate(float64(s.masterOps))
	m["rereplicated_chunks"] = float64(s.rereplicated)
	m["lease_expiries"] = float64(s.leaseExpiries)
	m["lease_grants"] = float64(s.leaseGrant)
	m["retries"] = float64(s.retries)
	m["redirects"] = float64(s.redirects)
	m["ops_failed"] = float64(s.failed)
	under := 0
	for i := range s.chunks {
		if int(s.chunks[i].nrep) < s.cfg.Replicas {
			under++
		}
	}
	m["under_replicated"] = float64(under)
	if _, down := s.net.Uplink(s.cfg.Racks); down != nil && el > 0 {
		m["client_switch_util"] = float64(down.Busy()+0) / float64(el)
	}
	if s.cfg.Record {
		m["stale_reads"] = float64(s.staleReads)
	}
	return m
}

// check (Config.Record) verifies the replicas: on every chunk, the live
// replicas the master lists hold every acknowledged mutation of the chunk,
// in the same order; it returns the records appended more than once.
func (s *Sim) check() (dups int, err error) {
	dup := map[uint64]bool{}
	want := make([]int, len(s.chunks))
	for _, ci := range s.acked {
		want[ci]++
	}
	for ci := range s.chunks {
		c := &s.chunks[ci]
		var ref []entry
		refFrom := -1
		for _, r := range c.reps[:c.nrep] {
			if !s.net.Up(int(r)) {
				continue
			}
			rep := s.servers[r].reps[int32(ci)]
			if rep == nil {
				return dups, fmt.Errorf("chunk %d: listed replica on %d has no data", ci, r)
			}
			var got []entry
			seen := map[uint64]int{}
			for _, e := range rep.log {
				if e.mut == mutAppend {
					seen[e.rec]++
					if seen[e.rec] == 2 && !dup[e.rec] {
						dup[e.rec] = true
						dups++
					}
				}
				if _, ok := s.acked[e.id]; ok {
					got = append(got, entry{id: e.id, off: e.off, n: e.n})
				}
			}
			if len(got) != want[ci] {
				return dups, fmt.Errorf("chunk %d: replica on %d holds %d of its %d acknowledged mutations", ci, r, len(got), want[ci])
			}
			if refFrom < 0 {
				ref, refFrom = got, int(r)
				continue
			}
			if !slices.Equal(ref, got) {
				return dups, fmt.Errorf("chunk %d: replicas %d and %d hold different acknowledged mutations (%d vs %d)", ci, refFrom, r, len(ref), len(got))
			}
		}
	}
	return dups, nil
}
