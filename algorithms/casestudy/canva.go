package casestudy

import (
	"errors"
	"math"
	"slices"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Canva's media upload pipeline (Canva Engineering on its media service
// and its asynchronous processing of uploads): an upload is written to the
// object store, a message is put on a queue, and a pool of workers makes the
// thumbnail. The queue is SQS-like: at-least-once delivery, a received
// message is invisible for the visibility timeout and comes back if it is
// not deleted by then (a slow or crashed worker), a failed job is retried
// after a backoff (the message's visibility is changed), and a message
// received max_receives times without success goes to the dead-letter
// queue. The pool scales between min_workers and max_workers on the queue's
// backlog, new workers taking scale_delay to boot.
//
// Everything runs on harness.World events: the object store's and the
// jobs' latencies, visibility timers, backoffs, boots and the autoscaler's
// ticks are the World's events; the queue is a FIFO of message indexes.

// Scaling policies.
const (
	ScaleProportional = "proportional" // target tracking: ceil(backlog / scale_up_at) workers
	ScaleStep         = "step"         // one more worker per tick while backlog > scale_up_at per worker
)

// CanvaConfig is the pipeline's configuration.
type CanvaConfig struct {
	MinWorkers, MaxWorkers int
	Autoscale              bool
	Policy                 string
	ScaleUpAt              float64       // backlog per worker that calls for more workers
	ScaleInterval          time.Duration // the autoscaler's period
	ScaleDelay             time.Duration // a new worker's boot time
	Cooldown               time.Duration // an idle worker above min_workers is stopped after this
	Visibility             time.Duration
	Backoff                time.Duration // retry k waits backoff·2^(k−1)
	MaxReceives            int
	FailRate, CrashRate    float64
	Store, Service         workloads.DurationDist
	RecentWindow           int // uploads a read chooses among (the newest)

	lifo bool // tests only: a broken queue that hands out the newest message first
}

// Message states.
const (
	msgStoring uint8 = iota
	msgVisible
	msgInFlight
	msgWaiting // failed: invisible until its backoff ends
	msgDeleted
	msgDead
)

type canvaMsg struct {
	req      *harness.Request
	uploaded time.Duration // the upload's start
	thumbAt  time.Duration // first thumbnail written (0: none yet)
	receives int32
	gen      int32 // receipt generation: the latest receive
	thumbs   int32
	state    uint8
	worker   int32 // the worker whose thumbnail was first
}

// Worker states.
const (
	wkBooting uint8 = iota
	wkIdle
	wkBusy
	wkGone
)

type canvaWorker struct {
	state     uint8
	msg       int32
	gen       int32
	fail      bool
	started   time.Duration // job start
	idleSince time.Duration
}

var (
	errDeadLettered = errors.New("upload dead-lettered: no thumbnail")
)

// canvaSim is the pipeline as a harness.SimTarget.
type canvaSim struct {
	cfg     CanvaConfig
	msgs    []canvaMsg
	queue   []int32 // visible messages, FIFO from head
	head    int
	workers []canvaWorker
	idle    []int32

	storedFn, doneFn, crashFn, expireFn, visibleFn, bootFn, tickFn harness.EventFunc

	provisioned, busy       int
	lastNow                 time.Duration
	workerNs, busyNs        float64 // ∫ provisioned dt, ∫ busy dt
	backlogMax, inFlightMax int
	inFlight                int
	workersMax              int
	redeliveries, expiries  uint64
	retries, failures       uint64
	crashes, deadLettered   uint64
	duplicates, thumbnails  uint64
	receives                uint64
	scaleUps, scaleDowns    uint64
	readHits, readMisses    uint64
	ttt                     []time.Duration // time to (first) thumbnail per upload
}

func newCanvaSim(cfg CanvaConfig) *canvaSim {
	c := &canvaSim{cfg: cfg}
	c.storedFn, c.doneFn, c.crashFn, c.expireFn = c.stored, c.jobDone, c.crash, c.expire
	c.visibleFn, c.bootFn, c.tickFn = c.becomeVisible, c.booted, c.tick
	return c
}

// Setup starts min_workers warm workers and the autoscaler.
func (c *canvaSim) Setup(w *harness.World) {
	for i := 0; i < c.cfg.MinWorkers; i++ {
		c.addWorker(w, true)
	}
	w.After(c.cfg.ScaleInterval, c.tickFn, nil, 0)
}

// account integrates the provisioned and busy worker counts up to now.
func (c *canvaSim) account(now time.Duration) {
	dt := float64(now - c.lastNow)
	c.workerNs += dt * float64(c.provisioned)
	c.busyNs += dt * float64(c.busy)
	c.lastNow = now
}

func (c *canvaSim) addWorker(w *harness.World, warm bool) {
	c.account(w.Now())
	c.provisioned++
	c.workersMax = max(c.workersMax, c.provisioned)
	i := int32(len(c.workers))
	c.workers = append(c.workers, canvaWorker{state: wkBooting, msg: -1})
	if warm {
		c.workers[i].state = wkIdle
		c.workers[i].idleSince = w.Now()
		c.idle = append(c.idle, i)
		return
	}
	w.After(c.cfg.ScaleDelay, c.bootFn, nil, int64(i))
}

func (c *canvaSim) booted(w *harness.World, _ *harness.Request, i int64) {
	wk := &c.workers[i]
	if wk.state != wkBooting {
		return
	}
	wk.state, wk.idleSince = wkIdle, w.Now()
	c.idle = append(c.idle, int32(i))
	c.dispatch(w)
}

// Start serves one op: an insert is an upload (written to the object store,
// then queued); any other kind is a view of a recent upload's thumbnail,
// which answers at once, a hit if the thumbnail exists.
func (c *canvaSim) Start(w *harness.World, req *harness.Request) {
	if req.Op.Kind != workloads.Insert {
		n := len(c.msgs)
		out := harness.Outcome{Shard: harness.NoShard}
		if n == 0 {
			c.readMisses++
		} else if m := &c.msgs[n-1-int(req.Op.Key%uint64(min(n, c.cfg.RecentWindow)))]; m.thumbs > 0 {
			c.readHits++
		} else {
			c.readMisses++
		}
		w.Complete(req, out)
		return
	}
	i := int64(len(c.msgs))
	c.msgs = append(c.msgs, canvaMsg{req: req, uploaded: w.Now(), worker: -1})
	w.After(c.cfg.Store.Next(w.Rand()), c.storedFn, nil, i)
}

func (c *canvaSim) stored(w *harness.World, _ *harness.Request, i int64) {
	c.enqueue(w, int32(i))
	c.dispatch(w)
}

func (c *canvaSim) enqueue(w *harness.World, i int32) {
	c.msgs[i].state = msgVisible
	if c.head > 4096 && c.head*2 > len(c.queue) {
		c.queue = append(c.queue[:0], c.queue[c.head:]...)
		c.head = 0
	}
	c.queue = append(c.queue, i)
	c.backlogMax = max(c.backlogMax, len(c.queue)-c.head)
}

// dispatch hands visible messages to idle workers, oldest message first,
// the most recently idle worker first.
func (c *canvaSim) dispatch(w *harness.World) {
	for len(c.idle) > 0 && c.head < len(c.queue) {
		mi := c.queue[c.head]
		if c.cfg.lifo {
			mi = c.queue[len(c.queue)-1]
			c.queue = c.queue[:len(c.queue)-1]
		} else {
			c.head++
		}
		m := &c.msgs[mi]
		if m.state != msgVisible {
			continue
		}
		wi := c.idle[len(c.idle)-1]
		c.idle = c.idle[:len(c.idle)-1]
		c.receive(w, wi, mi)
	}
}

// receive delivers message mi to worker wi: the message is invisible until
// the visibility timeout, and the job ends, fails or crashes the worker.
func (c *canvaSim) receive(w *harness.World, wi, mi int32) {
	m := &c.msgs[mi]
	m.receives++
	m.gen++
	c.receives++
	if m.receives > 1 {
		c.redeliveries++
	}
	if m.receives > int32(c.cfg.MaxReceives) { // SQS redrive: over maxReceiveCount → DLQ
		c.deadLetter(w, mi)
		c.idle = append(c.idle, wi)
		return
	}
	m.state = msgInFlight
	c.inFlight++
	c.inFlightMax = max(c.inFlightMax, c.inFlight)
	w.After(c.cfg.Visibility, c.expireFn, nil, int64(mi)<<24|int64(m.gen))
	c.account(w.Now())
	c.busy++
	r := w.Rand()
	d := c.cfg.Service.Next(r)
	wk := &c.workers[wi]
	wk.state, wk.msg, wk.gen, wk.started = wkBusy, mi, m.gen, w.Now()
	wk.fail = r.Float64() < c.cfg.FailRate
	if r.Float64() < c.cfg.CrashRate {
		w.After(time.Duration(r.Float64()*float64(d)), c.crashFn, nil, int64(wi))
		return
	}
	w.After(d, c.doneFn, nil, int64(wi))
}

func (c *canvaSim) jobDone(w *harness.World, _ *harness.Request, wi int64) {
	wk := &c.workers[wi]
	m := &c.msgs[wk.msg]
	c.account(w.Now())
	c.busy--
	if wk.fail {
		c.failures++
		// The job failed: make the message visible again after a backoff,
		// unless a later receive owns it or it is gone.
		if m.state == msgInFlight && m.gen == wk.gen {
			if m.receives >= int32(c.cfg.MaxReceives) {
				c.deadLetter(w, wk.msg)
			} else {
				c.retries++
				c.inFlight--
				m.state = msgWaiting
				w.After(c.cfg.Backoff<<min(m.receives-1, 30), c.visibleFn, nil, int64(wk.msg)<<24|int64(m.gen))
			}
		}
	} else {
		c.thumbnail(w, wk.msg, int32(wi))
	}
	wk.state, wk.msg, wk.idleSince = wkIdle, -1, w.Now()
	c.idle = append(c.idle, int32(wi))
	c.dispatch(w)
}

// thumbnail writes message mi's thumbnail and deletes the message.
func (c *canvaSim) thumbnail(w *harness.World, mi, wi int32) {
	m := &c.msgs[mi]
	m.thumbs++
	if m.thumbs > 1 {
		c.duplicates++ // a redelivered copy was processed too
	}
	if m.state == msgDeleted || m.state == msgDead {
		return
	}
	if m.state == msgInFlight {
		c.inFlight-- // this receive's, or a later one's (which will write a duplicate)
	}
	m.state = msgDeleted
	c.thumbnails++
	m.thumbAt, m.worker = w.Now(), wi
	c.ttt = append(c.ttt, w.Now()-m.uploaded)
	w.Complete(m.req, harness.Outcome{Shard: wi})
	m.req = nil
}

func (c *canvaSim) deadLetter(w *harness.World, mi int32) {
	m := &c.msgs[mi]
	if m.state == msgInFlight {
		c.inFlight--
	}
	m.state = msgDead
	c.deadLettered++
	w.Complete(m.req, harness.Outcome{Shard: harness.NoShard, Err: errDeadLettered})
	m.req = nil
}

// crash kills worker wi mid-job: its message is not deleted and comes back
// when its visibility timeout ends. A fixed pool replaces the worker (after
// scale_delay); an autoscaled one leaves it to the autoscaler.
func (c *canvaSim) crash(w *harness.World, _ *harness.Request, wi int64) {
	c.account(w.Now())
	c.busy--
	c.provisioned--
	c.crashes++
	c.workers[wi].state = wkGone
	if !c.cfg.Autoscale {
		c.addWorker(w, false)
	}
}

// expire ends a receive's visibility timeout: a message still in flight
// under that receive becomes visible again (at-least-once).
func (c *canvaSim) expire(w *harness.World, _ *harness.Request, arg int64) {
	mi, gen := int32(arg>>24), int32(arg&(1<<24-1))
	m := &c.msgs[mi]
	if m.state != msgInFlight || m.gen != gen {
		return
	}
	c.inFlight--
	c.expiries++
	c.enqueue(w, mi)
	c.dispatch(w)
}

func (c *canvaSim) becomeVisible(w *harness.World, _ *harness.Request, arg int64) {
	mi, gen := int32(arg>>24), int32(arg&(1<<24-1))
	m := &c.msgs[mi]
	if m.state != msgWaiting || m.gen != gen {
		return
	}
	c.enqueue(w, mi)
	c.dispatch(w)
}

// tick is the autoscaler: on the visible backlog, start workers (they boot
// for scale_delay) up to max_workers, and stop workers idle for the
// cooldown above min_workers while nothing is queued.
func (c *canvaSim) tick(w *harness.World, _ *harness.Request, _ int64) {
	w.After(c.cfg.ScaleInterval, c.tickFn, nil, 0)
	backlog := len(c.queue) - c.head
	for c.provisioned < c.cfg.MinWorkers { // replace crashed workers
		c.addWorker(w, false)
		c.scaleUps++
	}
	if !c.cfg.Autoscale {
		return
	}
	want := c.provisioned
	switch c.cfg.Policy {
	case ScaleStep:
		if float64(backlog) > c.cfg.ScaleUpAt*float64(c.provisioned) {
			want++
		}
	default: // desired = ⌈backlog / scale_up_at⌉, the backlog-per-instance target
		want = max(want, int(math.Ceil(float64(backlog)/c.cfg.ScaleUpAt)))
	}
	for want = min(want, c.cfg.MaxWorkers); c.provisioned < want; {
		c.addWorker(w, false)
		c.scaleUps++
	}
	if backlog > 0 {
		return
	}
	// Scale in: idle workers past the cooldown, newest idle first, down to min.
	for j := len(c.idle) - 1; j >= 0 && c.provisioned > c.cfg.MinWorkers; j-- {
		wi := c.idle[j]
		if w.Now()-c.workers[wi].idleSince < c.cfg.Cooldown {
			continue
		}
		c.account(w.Now())
		c.provisioned--
		c.scaleDowns++
		c.workers[wi].state = wkGone
		c.idle = slices.Delete(c.idle, j, j+1)
	}
}

// Metrics: see NOTES.md.
func (c *canvaSim) Metrics() map[string]float64 {
	c.account(c.lastNow)
	var pending uint64
	for i := range c.msgs {
		if s := c.msgs[i].state; s != msgDeleted && s != msgDead {
			pending++
		}
	}
	m := map[string]float64{
		"uploads":              float64(len(c.msgs)),
		"thumbnails":           float64(c.thumbnails),
		"pending":              float64(pending),
		"backlog_max":          float64(c.backlogMax),
		"in_flight_max":        float64(c.inFlightMax),
		"workers_max":          float64(c.workersMax),
		"worker_seconds":       c.workerNs / 1e9,
		"busy_seconds":         c.busyNs / 1e9,
		"receives":             float64(c.receives),
		"redeliveries":         float64(c.redeliveries),
		"visibility_expiries":  float64(c.expiries),
		"job_failures":         float64(c.failures),
		"retries":              float64(c.retries),
		"worker_crashes":       float64(c.crashes),
		"dead_lettered":        float64(c.deadLettered),
		"duplicate_thumbnails": float64(c.duplicates),
		"scale_ups":            float64(c.scaleUps),
		"scale_downs":          float64(c.scaleDowns),
	}
	if c.workerNs > 0 {
		m["worker_utilization"] = c.busyNs / c.workerNs
	}
	if r := c.readHits + c.readMisses; r > 0 {
		m["read_hits"], m["read_misses"] = float64(c.readHits), float64(c.readMisses)
		m["read_hit_rate"] = float64(c.readHits) / float64(r)
	}
	if n := len(c.ttt); n > 0 {
		s := slices.Clone(c.ttt)
		slices.Sort(s)
		q := func(p float64) float64 { return float64(s[min(n-1, int(p*float64(n)))]) }
		var sum float64
		for _, d := range s {
			sum += float64(d)
		}
		m["time_to_thumbnail_mean"] = sum / float64(n)
		m["time_to_thumbnail_p50"] = q(0.5)
		m["time_to_thumbnail_p90"] = q(0.9)
		m["time_to_thumbnail_p99"] = q(0.99)
		m["time_to_thumbnail_max"] = float64(s[n-1])
		if m["worker_seconds"] > 0 {
			m["worker_seconds_per_1k_thumbnails"] = m["worker_seconds"] * 1000 / float64(c.thumbnails)
		}
	}
	return m
}
