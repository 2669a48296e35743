package harness

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// The open loop replays one op stream (the Whole part of the workload) at
// its intended times, as wrk2 and k6's arrival-rate executors do, from a pool
// of goroutines that share the stream under one lock:
//
//   - A sender takes the lock once per batch: it records the completions of
//     its previous batch into the run's recorder and claims every op due
//     within claimWindow (at most claimBatch), then unlocks and sends them
//     in order, each at its intended start. An op's completion time is the
//     next op's send time when that op is already due, so a busy sender
//     reads the clock once per op. There is no hand-off between goroutines
//     per op: at 8M ops/s one goroutine claims 64 ops per lock.
//   - When nothing is due, one free goroutine (the waiter) sleeps until the
//     next op is close (clock.go: timer, nanosleep, then a short spin), and
//     the other free goroutines park; so a slow schedule costs little CPU.
//   - One goroutine, the watcher, sleeps until the next unclaimed op is
//     watchGrace overdue. If it still is, no goroutine has claimed ops for
//     as long, and every sender is inside the target's Do, the watcher
//     claims the op and sends it, and an idle goroutine (or a new one, up to
//     the cap) becomes the watcher. Senders merely short of CPU (a loaded
//     machine, the race detector) are not inside Do most of the time, so
//     they do not grow the pool: more goroutines would not give them a CPU.
//     While all is well the watcher looks less and less often, down to once
//     per watchBackoff, so a healthy slow schedule wakes it rarely. So the pool grows to the
//     concurrency a slow target needs, and a stalled op delays the ops after
//     it by about a nanosleep's precision (measured 40–130 µs), not by its
//     own length.
//
// Ops claimed together are sent by one goroutine, so an op that blocks
// delays the rest of its batch (at most claimWindow of the schedule); their
// send lag records it. Config.Workers caps the pool (0 = maxPool): at the
// cap the schedule slips, each late op still measured from its intended
// start — with Workers = 1 a stalled target shows in latency but not in
// service time, wrk2's demonstration.
//
// Every run accounts for its own schedule (generator.go): send lag (actual −
// intended send) per op, and the ops due before the end of Config.Duration
// that were never sent (dropped): the run stops sending at the end of its
// duration on the wall clock, however far behind it is.

// maxPool bounds the open loop's goroutines when Config.Workers is 0: up to
// 10,000 ops in flight at once.
const maxPool = 10000

const (
	claimWindow = 10 * time.Microsecond // ops due this soon are claimed together
	claimBatch  = 64                    // at most this many per claim
	watchGrace  = 50 * time.Microsecond // this overdue and unclaimed: every sender is busy
	// watchBackoff is the longest the watcher sleeps between looks while
	// the senders keep up: a sender that then blocks is relieved within it.
	watchBackoff = time.Millisecond
	// drainBudget bounds the ops drawn at the end only to count those never
	// sent; past it the rest are estimated from the schedule's mean rate.
	drainBudget = 1 << 24
)

type openLoop struct {
	r     *wallRun
	wg    sync.WaitGroup
	limit int

	mu   sync.Mutex // guards everything below
	idle sync.Cond  // free goroutines park here while another one waits
	src  workloads.Source
	rec  *recorder

	next     workloads.Op // the stream's next op, drawn but not claimed
	nextWarm bool
	hasNext  bool
	over     bool // nothing more will be claimed

	size, idlers           int
	waiting, wantWatcher   bool
	warm                   warmPhase
	warming, started       bool
	quota, n               uint64        // measured ops allowed (0 = no limit) and taken (sent or dropped)
	origin, end            time.Duration // no measured op is intended, or sent, at or after end
	dropped                uint64
	estimated              bool // dropped includes an estimate (drainBudget was reached)
	lastIntended, lastSent time.Duration
	lastClaim              time.Duration // when a goroutine last claimed ops
	senders                int           // goroutines holding a batch
	watchEvery             time.Duration // the watcher's current interval between looks
	inTarget               []*inTarget   // one per goroutine
}

// inTarget is set by its goroutine while it is inside the target's Do, for
// the watcher to tell senders blocked in the target (more goroutines help)
// from senders merely short of CPU (more goroutines do not). Two stores per
// op, on a cache line of its own.
type inTarget struct {
	since atomic.Bool
	_     [63]byte
}

// allInTarget reports whether every goroutine holding a batch is inside the
// target. The caller holds mu.
func (l *openLoop) allInTarget() bool {
	n := 0
	for _, in := range l.inTarget {
		if in.since.Load() {
			n++
		}
	}
	return n >= l.senders
}

// claimed is an op a goroutine has taken from the stream and, once sent,
// its fate, recorded at the goroutine's next claim.
type claimed struct {
	op         workloads.Op
	warm       bool
	fate       fate
	o          Outcome
	sent, done time.Duration
}

type fate uint8

const (
	unsent  fate = iota // not sent: the run was cancelled
	sentOp              // sent and completed
	dropped             // not sent: its time came after the end of the run
)

func (r *wallRun) runOpen(src workloads.Source) {
	l := &openLoop{r: r, src: src, rec: r.recs[0], limit: maxPool,
		warm: r.cfg.warmPhase(0, 1), quota: r.cfg.Ops, end: time.Duration(1<<63 - 1)}
	if r.cfg.Workers > 0 {
		l.limit = r.cfg.Workers
	}
	l.idle.L = &l.mu
	l.warming = l.warm.active(0)
	l.size = 1
	l.wg.Add(1)
	go l.run(false)
	if l.limit > 1 {
		l.mu.Lock()
		l.size++
		l.mu.Unlock()
		l.wg.Add(1)
		go l.run(true)
	}
	l.wg.Wait()
	l.rec.flushInterval()
	r.open = l
}

func (l *openLoop) run(watcher bool) {
	defer l.wg.Done()
	tgt := l.r.fork()
	tm := time.NewTimer(time.Hour)
	tm.Stop()
	in := new(inTarget)
	l.mu.Lock()
	l.inTarget = append(l.inTarget, in)
	l.mu.Unlock()
	var batch []claimed
	for {
		l.mu.Lock()
		if len(batch) > 0 {
			l.senders--
		}
		l.fold(batch)
		batch, watcher = l.acquire(batch[:0], watcher, tm)
		end := l.end
		if len(batch) > 0 {
			l.senders++
		}
		l.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		if !l.sendSafely(tgt, in, batch, end, tm) {
			l.mu.Lock()
			l.senders--
			l.over = true
			l.idle.Broadcast()
			l.mu.Unlock()
			return
		}
	}
}

// sendSafely sends batch and reports false if the target panicked: the
// panic becomes the run's error (see recoverWorker) and the pool winds down.
func (l *openLoop) sendSafely(tgt Target, in *inTarget, batch []claimed, end time.Duration, tm *time.Timer) (ok bool) {
	defer l.r.recoverWorker() // on a panic, ok stays false
	l.send(tgt, in, batch, end, tm)
	return true
}

// acquire returns the next batch to send, empty when the stream is over. It
// is called with mu held and returns with it held, sleeping (without it) as
// the goroutine's role requires.
func (l *openLoop) acquire(batch []claimed, watcher bool, tm *time.Timer) ([]claimed, bool) {
	for {
		now := l.r.now()
		if l.r.stop.Load() {
			l.over = true
		}
		if l.started && now >= l.end {
			l.drain()
		}
		if !l.peek() {
			l.idle.Broadcast()
			return batch, false
		}
		at := l.next.At
		switch {
		case watcher:
			if due := max(at, l.lastClaim) + watchGrace; now < due || !l.allInTarget() {
				// All is well: look again at the op's time, or later
				// each time all is still well (up to watchBackoff), so a
				// healthy run does not wake the watcher once per op.
				l.watchEvery = min(max(2*l.watchEvery, watchGrace), watchBackoff)
				l.mu.Unlock()
				l.r.sleepUntil(max(due, now+l.watchEvery), tm)
				l.mu.Lock()
				continue
			}
			// Overdue, no goroutine has come for an op for as long, and
			// every sender is inside the target.
			l.watchEvery = 0
			l.recruitWatcher()
			return l.claim(batch, now+claimWindow), false
		case at <= now+claimWindow:
			return l.claim(batch, now+claimWindow), false
		case !l.waiting:
			l.waiting = true
			l.mu.Unlock()
			l.r.sleepUntil(at-spinWindow, tm)
			l.mu.Lock()
			l.waiting = false
			if l.peek() && !l.r.stop.Load() {
				// Claim the op waited for even if the nap ended early:
				// the send loop spins the rest.
				return l.claim(batch, max(l.r.now(), l.next.At)+claimWindow), false
			}
		default:
			l.idlers++
			l.idle.Wait()
			l.idlers--
			if l.wantWatcher {
				l.wantWatcher, watcher = false, true
			}
		}
	}
}

// recruitWatcher hands the watcher's role to an idle goroutine, or to a new
// one while the pool is under its cap. The caller holds mu.
func (l *openLoop) recruitWatcher() {
	switch {
	case l.idlers > 0:
		l.wantWatcher = true
		l.idle.Signal()
	case l.size < l.limit:
		l.size++
		l.wg.Add(1)
		go l.run(true)
	}
}

// peek makes l.next the stream's next op and classifies it; it reports
// false when the stream is over. The caller holds mu.
func (l *openLoop) peek() bool {
	if l.hasNext || l.over {
		return !l.over
	}
	if !l.warming && l.quota > 0 && l.n >= l.quota {
		l.over = true
		return false
	}
	if !l.src.Next(&l.next) {
		l.over = true
		return false
	}
	l.nextWarm = false
	if l.warming {
		if l.warm.active(l.next.At) {
			l.nextWarm, l.hasNext = true, true
			return true
		}
		l.warming = false
	}
	if !l.started {
		l.begin(l.next.At)
	}
	if l.next.At >= l.end {
		l.r.reachedEnd.Store(true)
		l.over = true
		return false
	}
	l.hasNext = true
	return true
}

// claim moves the ops due by cutoff (at least one, at most claimBatch) from
// the stream into batch. The caller holds mu and has peeked.
func (l *openLoop) claim(batch []claimed, cutoff time.Duration) []claimed {
	l.lastClaim = cutoff - claimWindow
	for len(batch) < claimBatch && l.peek() && (len(batch) == 0 || l.next.At <= cutoff) {
		if len(batch) < cap(batch) { // fill in place: a composite literal costs a copy more
			batch = batch[:len(batch)+1]
		} else {
			batch = append(batch, claimed{})
		}
		c := &batch[len(batch)-1]
		c.op, c.warm, c.fate = l.next, l.nextWarm, unsent
		l.hasNext = false
		if l.nextWarm {
			l.warm.n++
			l.r.warmOps[0] = l.warm.n
		} else {
			l.n++
			l.lastIntended = l.next.At
		}
	}
	return batch
}

// begin starts the measured phase at the first measured op: at the warm-up's
// end time if that is what ended it, else at the op's intended start.
func (l *openLoop) begin(at time.Duration) {
	origin := at
	if l.warm.until > 0 && at >= l.warm.until {
		origin = l.warm.until
	}
	l.started, l.origin = true, origin
	l.rec.start(origin)
	l.r.setOrigin(origin)
	if l.r.cfg.Duration > 0 {
		l.end = origin + l.r.cfg.Duration
	}
}

// drain ends the stream once the wall clock has passed the end of the
// measured phase: the ops intended before the end that were never sent are
// counted as dropped. The caller holds mu.
func (l *openLoop) drain() {
	if l.over {
		return
	}
	if l.hasNext && !l.nextWarm {
		l.hasNext = false
		l.dropped++
		l.n++
		l.lastIntended = l.next.At
	}
	var op workloads.Op
	for budget := drainBudget; l.quota == 0 || l.n < l.quota; budget-- {
		if budget == 0 {
			l.estimateRest()
			break
		}
		if !l.src.Next(&op) || op.At >= l.end {
			break
		}
		l.dropped++
		l.n++
		l.lastIntended = op.At
	}
	l.hasNext = false
	l.over = true
	l.r.reachedEnd.Store(true)
}

// estimateRest adds the ops the schedule would still have asked for before
// the end, at its mean rate so far, when counting them one by one would
// itself outlast the run.
func (l *openLoop) estimateRest() {
	span := l.lastIntended - l.origin
	if span <= 0 || l.lastIntended >= l.end {
		return
	}
	rest := uint64(float64(l.n) * float64(l.end-l.lastIntended) / float64(span))
	if l.quota > 0 {
		rest = min(rest, l.quota-l.n)
	}
	l.dropped += rest
	l.n += rest
	l.lastIntended = l.end
	l.estimated = true
}

// send sends a claimed batch in order, each op at its intended start, and
// notes each one's fate. A measured op whose time comes at or after end is
// not sent: the run's duration is over.
func (l *openLoop) send(tgt Target, in *inTarget, batch []claimed, end time.Duration, tm *time.Timer) {
	t := l.r.now()
	for i := range batch {
		c := &batch[i]
		if !c.warm && t >= end {
			for j := range batch[i:] {
				batch[i+j].fate = dropped
			}
			return
		}
		if t < c.op.At {
			if c.op.At-t > spinWindow && !l.r.sleepUntil(c.op.At-spinWindow, tm) {
				return // cancelled
			}
			t = l.r.spinUntil(c.op.At)
		}
		in.since.Store(true)
		c.o = tgt.Do(t, &c.op)
		in.since.Store(false)
		d := l.r.now()
		c.fate, c.sent, c.done = sentOp, t, d
		t = d
		if l.r.stop.Load() {
			return
		}
	}
}

// fold records the fates of a goroutine's last batch. The caller holds mu.
func (l *openLoop) fold(batch []claimed) {
	var sent uint64
	for i := range batch {
		c := &batch[i]
		switch {
		case c.warm:
		case c.fate == dropped:
			l.dropped++
		case c.fate == sentOp:
			l.rec.record(&c.op, c.o, c.op.At, c.sent, c.done)
			l.lastSent = max(l.lastSent, c.sent)
			sent++
		}
	}
	if sent > 0 {
		p := &l.r.progress[0].n
		p.Store(p.Load() + sent)
	}
}
