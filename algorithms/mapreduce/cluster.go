package mapreduce

import (
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

type tstate uint8

const (
	pending tstate = iota
	running
	done
)

type task struct {
	state     tstate
	attempts  int8     // attempts running (1, or 2 with a backup)
	slots     [2]int32 // the slots running them
	start     time.Duration
	committed bool // a map's output was delivered to the reduce inputs (once, §3.3)
	// A map's output lives on the local disk of the machine that ran it
	// (on), as generation gen: a re-execution makes a new one.
	on  int32
	gen uint32
}

type job struct {
	req   *harness.Request
	seed  uint64
	tasks []task // maps, then reduces
	// Tasks to start: maps next…M−1, then reduces nextR…M+R−1; redo holds
	// tasks whose attempt was lost with a dead worker, or completed maps
	// whose output was.
	next, nextR int
	redo        []int32
	mapsDone    int
	mapsRun     int // maps running
	reducesDone int
	reducesRun  int
	mapsEnd     time.Duration // when the last map finished (valid while mapsDone == M)

	// doneOrder lists map completions in order (a re-executed map appears
	// again); a reduce attempt's fetcher walks it.
	doneOrder []int32
	waiting   []int64 // fetchers waiting for the next map output: epoch*maxSlots + slot

	partIn      []map[uint64]int64 // reduce input, summed as map outputs commit
	partPairs   []int64
	mapPartSize []int64 // bytes map m produced for partition r: [m*R + r]
	words       int64
	last        int32 // machine of the last finished task
}

// A machine runs one map and one reduce at a time (the paper's Fig. 3
// cluster: "each machine executes at most one reduce task at a time",
// beside its maps): slot 2i is machine i's map slot, 2i+1 its reduce slot.
type machine struct {
	dead  bool // killed (the master learns at its next ping)
	known bool // the master has noticed the death
}

const (
	mapSlot    = 0
	reduceSlot = 1
	maxSlots   = 2 * maxWorkers
)

type slot struct {
	busy   bool // the master has an attempt on it
	epoch  int64
	job    *job
	task   int
	backup bool
	since  time.Duration
	slow   float64 // this attempt's duration multiplier (stragglers)

	// A reduce attempt's shuffle: which map outputs (and which generation)
	// it holds, how far it has walked the job's doneOrder, and the batch
	// in flight.
	fetched  []bool // map m's output is held
	nFetched int
	pos      int
	batch    []int32  // map outputs in the transfer in flight
	batchGen []uint32 // and their generations
	batchAt  time.Duration
}

// Cluster is the master and its workers in virtual time. It implements
// harness.SimTarget; like the World, it is single-threaded.
type Cluster struct {
	cfg   Config
	words workloads.KeyDist
	seed  uint64

	jobs     []*job // FIFO: submitted, not finished
	machines []machine
	slots    []slot
	links    []simnet.Link // each machine's incoming network link, at shuffle_bw
	free     [2][]int32    // idle slots of live machines, by kind, stacks
	combine  map[uint64]int64

	last                                  time.Duration
	busyArea                              float64
	busyNow                               int
	busySince                             time.Duration
	attempts, backups, backupWins, killed uint64
	stragglers, jobsDone                  uint64
	deadWorkers, lostAttempts, reexecuted uint64
	shuffleBytes, mapPairs, inputWords    int64
	fetchedBytes, overlapBytes            float64
	skewSum                               float64
	wasted                                float64 // worker-ns of killed and lost attempts

	// OnJobDone, if set, sees every finished job's output (tests).
	OnJobDone func(*Output)

	finishFn, fetchFn, killFn, noticeFn harness.EventFunc
}

// NewCluster returns a cluster for cfg whose jobs' inputs derive from seed.
func NewCluster(cfg Config, seed uint64) (*Cluster, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	d, _ := cfg.wordDist()
	c := &Cluster{cfg: cfg, words: d, seed: seed, machines: make([]machine, cfg.Workers), slots: make([]slot, 2*cfg.Workers), combine: map[uint64]int64{}}
	c.links = make([]simnet.Link, cfg.Workers)
	for i := range c.links {
		c.links[i] = *simnet.NewLink(cfg.ShuffleBW)
	}
	for i := 2*cfg.Workers - 1; i >= 0; i-- {
		c.free[i&1] = append(c.free[i&1], int32(i))
	}
	c.finishFn, c.fetchFn, c.killFn, c.noticeFn = c.finish, c.fetchDone, c.kill, c.notice
	return c, nil
}

// Setup schedules the worker failures (kill workers at kill_at).
func (c *Cluster) Setup(w *harness.World) {
	if c.cfg.Kill > 0 {
		w.At(c.cfg.KillAt, c.killFn, nil, 0)
	}
}

// Start submits one job.
func (c *Cluster) Start(w *harness.World, req *harness.Request) {
	c.last = max(c.last, w.Now())
	M, R := c.cfg.Maps, c.cfg.Reduces
	j := &job{req: req, seed: c.seed ^ (req.Op.Seq+1)*0xBF58476D1CE4E5B9, tasks: make([]task, M+R), nextR: M, last: -1}
	j.partIn = make([]map[uint64]int64, R)
	for r := range j.partIn {
		j.partIn[r] = map[uint64]int64{}
	}
	j.partPairs = make([]int64, R)
	j.mapPartSize = make([]int64, M*R)
	c.jobs = append(c.jobs, j)
	c.schedule(w)
}

// schedule gives idle slots work (pick says in which order).
func (c *Cluster) schedule(w *harness.World) {
	for kind := range c.free {
		for len(c.free[kind]) > 0 {
			j, t, backup := c.pick(kind)
			if j == nil {
				break
			}
			sid := c.free[kind][len(c.free[kind])-1]
			c.free[kind] = c.free[kind][:len(c.free[kind])-1]
			c.launch(w, sid, j, t, backup)
		}
	}
}

// pick chooses the next attempt to launch on a slot of kind. Jobs are
// served in FIFO order: a task to (re-)run; when no job has one, a backup
// of the longest-running task of a phase close to completion (§3.6). A
// job's reduces start with the job, so their shuffle overlaps its map phase
// (§3.1: the master forwards map output locations to reduce workers as maps
// complete).
func (c *Cluster) pick(kind int) (*job, int, bool) {
	M, R := c.cfg.Maps, c.cfg.Reduces
	lo, hi := 0, M
	if kind == reduceSlot {
		lo, hi = M, M+R
	}
	for _, j := range c.jobs {
		if t := j.takeRedo(kind == mapSlot, &c.cfg); t >= 0 {
			return j, t, false
		}
		if kind == mapSlot && j.next < M {
			j.next++
			return j, j.next - 1, false
		}
		if kind == reduceSlot && j.nextR < M+R {
			j.nextR++
			return j, j.nextR - 1, false
		}
	}
	if !c.cfg.Backup {
		return nil, 0, false
	}
	for _, j := range c.jobs {
		closing := j.mapsDone < M && float64(j.mapsRun) <= c.cfg.BackupTail*float64(M)
		if kind == reduceSlot {
			closing = j.mapsDone == M && float64(j.reducesRun) <= c.cfg.BackupTail*float64(R)
		}
		if closing {
			if t := c.backupOf(j, lo, hi); t >= 0 {
				return j, t, true
			}
		}
	}
	return nil, 0, false
}

// takeRedo removes and returns the first map (maps) or reduce task waiting
// to be re-run, or −1.
func (j *job) takeRedo(maps bool, c *Config) int {
	for i, t := range j.redo {
		if (int(t) < c.Maps) == maps {
			j.redo = append(j.redo[:i], j.redo[i+1:]...)
			return int(t)
		}
	}
	return -1
}

// backupOf returns the longest-running task in [lo, hi) with a single
// attempt, or −1.
func (c *Cluster) backupOf(j *job, lo, hi int) int {
	best := -1
	for t := lo; t < hi; t++ {
		tk := &j.tasks[t]
		if tk.state == running && tk.attempts == 1 && (best < 0 || tk.start < j.tasks[best].start) {
			best = t
		}
	}
	return best
}

func (c *Cluster) setBusy(now time.Duration, d int) {
	c.busyArea += float64(c.busyNow) * float64(now-c.busySince)
	c.busySince = now
	c.busyNow += d
}

// event packs a slot and its epoch into an event argument; alive unpacks
// it and reports whether the attempt it was scheduled for still runs.
func (s *slot) event(sid int32) int64 { return s.epoch*maxSlots + int64(sid) }

func (c *Cluster) alive(arg int64) (int32, *slot, bool) {
	sid := int32(arg % maxSlots)
	s := &c.slots[sid]
	return sid, s, s.busy && !c.machines[sid/2].dead && arg/maxSlots == s.epoch
}

func (c *Cluster) launch(w *harness.World, sid int32, j *job, t int, backup bool) {
	now := w.Now()
	tk := &j.tasks[t]
	if backup {
		c.backups++
	} else {
		tk.state = running
		tk.start = now
		if t < c.cfg.Maps {
			j.mapsRun++
		} else {
			j.reducesRun++
		}
	}
	tk.slots[tk.attempts] = sid
	tk.attempts++
	c.attempts++
	s := &c.slots[sid]
	s.busy, s.job, s.task, s.backup, s.since, s.slow = true, j, t, backup, now, 1
	s.epoch++
	c.setBusy(now, 1)
	if c.cfg.StragglerFrac > 0 && w.Rand().Float64() < c.cfg.StragglerFrac {
		s.slow = c.cfg.Slowdown
		c.stragglers++
	}
	if t < c.cfg.Maps {
		d := float64(c.cfg.MapTime.Next(w.Rand())) * s.slow
		w.After(time.Duration(d), c.finishFn, nil, s.event(sid))
		return
	}
	if cap(s.fetched) < c.cfg.Maps {
		s.fetched = make([]bool, c.cfg.Maps)
	}
	s.fetched = s.fetched[:c.cfg.Maps]
	clear(s.fetched)
	s.nFetched, s.pos = 0, 0
	c.fetch(w, sid)
}

// fetch starts the reduce attempt on sid fetching, in one transfer at
// shuffle_bw, every map output of its partition that the master has told
// it about and it does not hold yet, from machines that are alive; with
// every output held it runs the reduce function.
func (c *Cluster) fetch(w *harness.World, sid int32) {
	s := &c.slots[sid]
	j, r := s.job, s.task-c.cfg.Maps
	if s.nFetched == c.cfg.Maps {
		d := float64(c.cfg.ReduceTime.Next(w.Rand())) * s.slow
		w.After(time.Duration(d), c.finishFn, nil, s.event(sid))
		return
	}
	var bytes int64
	s.batch, s.batchGen = s.batch[:0], s.batchGen[:0]
	for ; s.pos < len(j.doneOrder); s.pos++ {
		m := j.doneOrder[s.pos]
		tk := &j.tasks[m]
		if tk.state != done || c.machines[tk.on].dead || s.fetched[m] {
			continue // lost (it comes back in doneOrder when re-run) or held
		}
		s.batch, s.batchGen = append(s.batch, m), append(s.batchGen, tk.gen)
		bytes += j.mapPartSize[int(m)*c.cfg.Reduces+r]
	}
	if len(s.batch) == 0 {
		j.waiting = append(j.waiting, s.event(sid))
		return
	}
	s.batchAt = w.Now()
	// The batch crosses the reduce machine's network link (simnet's FIFO
	// serializer at shuffle_bw); a straggler computes slowly, its network
	// does not.
	w.At(c.links[sid/2].Send(w.Now(), bytes), c.fetchFn, nil, s.event(sid))
}

// fetchDone ends a shuffle transfer: outputs whose machine died meanwhile
// were not read.
func (c *Cluster) fetchDone(w *harness.World, _ *harness.Request, arg int64) {
	sid, s, ok := c.alive(arg)
	if !ok {
		return
	}
	now := w.Now()
	c.last = max(c.last, now)
	j, r := s.job, s.task-c.cfg.Maps
	var bytes int64
	for i, m := range s.batch {
		tk := &j.tasks[m]
		if tk.state != done || tk.gen != s.batchGen[i] || c.machines[tk.on].dead || s.fetched[m] {
			continue // its machine died during the transfer
		}
		s.nFetched++
		s.fetched[m] = true
		bytes += j.mapPartSize[int(m)*c.cfg.Reduces+r]
	}
	c.fetchedBytes += float64(bytes)
	// The share of the transfer before the job's last map finished.
	switch span := now - s.batchAt; {
	case j.mapsDone < c.cfg.Maps:
		c.overlapBytes += float64(bytes)
	case span > 0 && j.mapsEnd > s.batchAt:
		c.overlapBytes += float64(bytes) * float64(j.mapsEnd-s.batchAt) / float64(span)
	}
	c.fetch(w, sid)
}

// wake restarts the fetchers of j that wait for map output.
func (c *Cluster) wake(w *harness.World, j *job) {
	ws := j.waiting
	j.waiting = nil
	for _, e := range ws {
		if sid, _, ok := c.alive(e); ok {
			c.fetch(w, sid)
		}
	}
	if j.waiting == nil {
		j.waiting = ws[:0]
	}
}

// release frees a slot; its pending events are voided. A dead machine's
// slots never return to the pool.
func (c *Cluster) release(now time.Duration, sid int32) {
	s := &c.slots[sid]
	wasBusy := s.busy
	s.busy, s.job = false, nil
	s.epoch++
	if c.machines[sid/2].dead {
		return
	}
	if wasBusy {
		c.setBusy(now, -1)
	}
	c.free[sid&1] = append(c.free[sid&1], sid)
}

// dropAttempt removes sid's attempt from task tk's list.
func dropAttempt(tk *task, sid int32) {
	for a := 0; a < int(tk.attempts); a++ {
		if tk.slots[a] == sid {
			tk.slots[a] = tk.slots[tk.attempts-1]
			tk.attempts--
			return
		}
	}
}

func (c *Cluster) finish(w *harness.World, _ *harness.Request, arg int64) {
	sid, s, ok := c.alive(arg)
	if !ok {
		return // killed: the other attempt won, or the machine died
	}
	now := w.Now()
	c.last = max(c.last, now)
	j, t := s.job, s.task
	tk := &j.tasks[t]
	if s.backup {
		c.backupWins++
	}
	// The master commits this completion and kills the other attempt.
	for a := 0; a < int(tk.attempts); a++ {
		if o := tk.slots[a]; o != sid {
			if !c.machines[o/2].dead {
				c.killed++
				c.wasted += float64(now - c.slots[o].since)
			}
			c.release(now, o)
		}
	}
	tk.attempts = 0
	c.release(now, sid)
	tk.state = done
	j.last = sid / 2
	if t < c.cfg.Maps {
		j.mapsRun--
		j.mapsDone++
		tk.on = sid / 2
		tk.gen++
		if !tk.committed {
			tk.committed = true
			c.runMap(j, t)
		}
		if j.mapsDone == c.cfg.Maps {
			j.mapsEnd = now
		}
		j.doneOrder = append(j.doneOrder, int32(t))
		c.wake(w, j)
	} else {
		j.reducesRun--
		j.reducesDone++
		if j.reducesDone == c.cfg.Reduces {
			c.complete(w, j)
		}
	}
	c.schedule(w)
}

// kill fails kill machines, drawn at random: their attempts stop and the
// map outputs on their disks become unreachable. The master finds out at
// its next ping.
func (c *Cluster) kill(w *harness.World, _ *harness.Request, _ int64) {
	now := w.Now()
	var live []int32
	for i := range c.machines {
		if !c.machines[i].dead {
			live = append(live, int32(i))
		}
	}
	for k := 0; k < c.cfg.Kill && len(live) > 1; k++ {
		i := w.Rand().IntN(len(live))
		m := live[i]
		live[i] = live[len(live)-1]
		live = live[:len(live)-1]
		c.machines[m].dead = true
		for sid := 2 * m; sid <= 2*m+1; sid++ {
			s := &c.slots[sid]
			s.epoch++
			if s.busy {
				c.setBusy(now, -1)
				c.wasted += float64(now - s.since)
				continue
			}
			f := c.free[sid&1]
			for x, id := range f {
				if id == sid {
					c.free[sid&1] = append(f[:x], f[x+1:]...)
					break
				}
			}
		}
	}
	ping := c.cfg.Ping
	w.At((now/ping+1)*ping, c.noticeFn, nil, 0)
}

// notice is the master's ping finding the dead machines (§3.3): an attempt
// running on one is lost and its task re-runs; a completed map whose output
// lived there re-runs if a reduce of its job has not read it yet; reduces
// that had read it keep their copy. Completed reduces' output is in the
// global file system and survives.
func (c *Cluster) notice(w *harness.World, _ *harness.Request, _ int64) {
	now := w.Now()
	c.last = max(c.last, now)
	for m := range c.machines {
		mc := &c.machines[m]
		if !mc.dead || mc.known {
			continue
		}
		mc.known = true
		c.deadWorkers++
		for sid := int32(2 * m); sid <= int32(2*m+1); sid++ {
			s := &c.slots[sid]
			if !s.busy {
				continue
			}
			j, t := s.job, s.task
			tk := &j.tasks[t]
			c.lostAttempts++
			dropAttempt(tk, sid)
			if tk.state == running && tk.attempts == 0 {
				tk.state = pending
				if t < c.cfg.Maps {
					j.mapsRun--
				} else {
					j.reducesRun--
				}
				j.redo = append(j.redo, int32(t))
			}
			c.release(now, sid)
		}
	}
	for _, j := range c.jobs {
		for m := 0; m < c.cfg.Maps; m++ {
			tk := &j.tasks[m]
			if tk.state == done && c.machines[tk.on].dead && c.neededBy(j, m) {
				tk.state = pending
				j.mapsDone--
				j.redo = append(j.redo, int32(m))
				c.reexecuted++
			}
		}
	}
	c.schedule(w)
}

// neededBy reports whether some unfinished reduce of j has no live attempt
// holding map m's output.
func (c *Cluster) neededBy(j *job, m int) bool {
	M := c.cfg.Maps
	for r := M; r < M+c.cfg.Reduces; r++ {
		tk := &j.tasks[r]
		if tk.state == done {
			continue
		}
		held := false
		for a := 0; a < int(tk.attempts); a++ {
			sid := tk.slots[a]
			held = held || (!c.machines[sid/2].dead && c.slots[sid].fetched[m])
		}
		if !held {
			return true
		}
	}
	return false
}

// runMap applies the map function (and the combiner) to task t's split and
// delivers its partitioned output to the reduce inputs: once per task,
// for the first attempt to finish only (a re-execution reproduces the same
// output: the map function is deterministic).
func (c *Cluster) runMap(j *job, t int) {
	R := c.cfg.Reduces
	sizes := j.mapPartSize[t*R : (t+1)*R]
	emit := func(word uint64, n int64) {
		r := Partition(word, R)
		j.partIn[r][word] += n
		j.partPairs[r]++
		b := pairBytes(word)
		sizes[r] += b
		c.shuffleBytes += b
		c.mapPairs++
	}
	var words int64
	if c.cfg.Combiner {
		clear(c.combine)
		Input(c.words, j.seed, t, c.cfg.Records, c.cfg.LineWords, func(wd uint64) { c.combine[wd]++; words++ })
		for wd, n := range c.combine {
			emit(wd, n)
		}
	} else {
		Input(c.words, j.seed, t, c.cfg.Records, c.cfg.LineWords, func(wd uint64) { emit(wd, 1); words++ })
	}
	j.words += words
	c.inputWords += words
}

func (c *Cluster) complete(w *harness.World, j *job) {
	var maxP, sumP int64
	for _, p := range j.partPairs {
		maxP = max(maxP, p)
		sumP += p
	}
	if sumP > 0 {
		c.skewSum += float64(maxP) / (float64(sumP) / float64(len(j.partPairs)))
	}
	c.jobsDone++
	if c.OnJobDone != nil {
		c.OnJobDone(&Output{Seed: j.seed, Partitions: j.partIn, InputWords: j.words, Elapsed: w.Now() - j.req.Op.At})
	}
	for i, q := range c.jobs {
		if q == j {
			copy(c.jobs[i:], c.jobs[i+1:])
			c.jobs[len(c.jobs)-1] = nil
			c.jobs = c.jobs[:len(c.jobs)-1]
			break
		}
	}
	w.Complete(j.req, harness.Outcome{Shard: j.last})
}

// Metrics reports the family figures (see NOTES.md).
func (c *Cluster) Metrics() map[string]float64 {
	c.setBusy(max(c.last, c.busySince), 0)
	out := map[string]float64{
		"jobs":             float64(c.jobsDone),
		"attempts":         float64(c.attempts),
		"backup_tasks":     float64(c.backups),
		"backup_wins":      float64(c.backupWins),
		"killed":           float64(c.killed),
		"stragglers":       float64(c.stragglers),
		"shuffle_bytes":    float64(c.shuffleBytes),
		"map_output_pairs": float64(c.mapPairs),
		"input_words":      float64(c.inputWords),
		"dead_workers":     float64(c.deadWorkers),
		"lost_attempts":    float64(c.lostAttempts),
		"reexecuted_maps":  float64(c.reexecuted),
	}
	if c.last > 0 {
		out["worker_utilisation"] = c.busyArea / (2 * float64(c.cfg.Workers) * float64(c.last))
	}
	if c.busyArea > 0 {
		out["wasted_share"] = c.wasted / c.busyArea
	}
	if c.jobsDone > 0 {
		out["reduce_skew"] = c.skewSum / float64(c.jobsDone)
		out["shuffle_bytes_per_job"] = float64(c.shuffleBytes) / float64(c.jobsDone)
	}
	if c.fetchedBytes > 0 {
		out["shuffle_overlap"] = c.overlapBytes / c.fetchedBytes
	}
	return out
}

// IntervalMetrics samples busy slots and jobs in the system.
func (c *Cluster) IntervalMetrics() map[string]float64 {
	return map[string]float64{"busy_slots": float64(c.busyNow), "jobs_in_system": float64(len(c.jobs))}
}

var (
	_ harness.SimTarget         = (*Cluster)(nil)
	_ harness.SimSetup          = (*Cluster)(nil)
	_ harness.Metricser         = (*Cluster)(nil)
	_ harness.IntervalMetricser = (*Cluster)(nil)
)
