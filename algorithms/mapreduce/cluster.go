package mapreduce

import (
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

type tstate uint8

const (
	pending tstate = iota
	running
	done
)

type task struct {
	state    tstate
	attempts int8     // attempts launched (1, or 2 with a backup)
	workers  [2]int32 // the workers running its attempts
	start    time.Duration
}

type job struct {
	req   *harness.Request
	seed  uint64
	tasks []task // maps, then reduces
	phase int    // 0 map, 1 reduce
	next  int    // next pending task of the phase (tasks start in order)
	left  int    // tasks of the phase not done
	run   int    // tasks of the phase running

	partIn    []map[uint64]int64 // reduce input, summed as it arrives
	partPairs []int64
	partBytes []int64
	words     int64
	last      int32 // worker of the last finished task
}

type worker struct {
	busy   bool
	epoch  int64 // voids the finish event of a killed attempt
	job    *job
	task   int
	backup bool
	since  time.Duration
}

// Cluster is the master and its workers in virtual time. It implements
// harness.SimTarget; like the World, it is single-threaded.
type Cluster struct {
	cfg   Config
	words workloads.KeyDist
	seed  uint64

	jobs    []*job // FIFO: submitted, not finished
	workers []worker
	free    []int32 // idle workers, a stack
	combine map[uint64]int64

	last                                  time.Duration
	busyArea                              float64
	busyNow                               int
	busySince                             time.Duration
	attempts, backups, backupWins, killed uint64
	stragglers, jobsDone                  uint64
	shuffleBytes, mapPairs, inputWords    int64
	skewSum                               float64
	wasted                                float64 // worker-ns of killed attempts

	// OnJobDone, if set, sees every finished job's output (tests).
	OnJobDone func(*Output)

	finishFn harness.EventFunc
}

// NewCluster returns a cluster for cfg whose jobs' inputs derive from seed.
func NewCluster(cfg Config, seed uint64) (*Cluster, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	d, _ := cfg.wordDist()
	c := &Cluster{cfg: cfg, words: d, seed: seed, workers: make([]worker, cfg.Workers), combine: map[uint64]int64{}}
	for i := cfg.Workers - 1; i >= 0; i-- {
		c.free = append(c.free, int32(i))
	}
	c.finishFn = c.finish
	return c, nil
}

// Start submits one job.
func (c *Cluster) Start(w *harness.World, req *harness.Request) {
	c.last = max(c.last, w.Now())
	n := c.cfg.Maps + c.cfg.Reduces
	j := &job{req: req, seed: c.seed ^ (req.Op.Seq+1)*0xBF58476D1CE4E5B9, tasks: make([]task, n), left: c.cfg.Maps, last: -1}
	j.partIn = make([]map[uint64]int64, c.cfg.Reduces)
	for r := range j.partIn {
		j.partIn[r] = map[uint64]int64{}
	}
	j.partPairs = make([]int64, c.cfg.Reduces)
	j.partBytes = make([]int64, c.cfg.Reduces)
	c.jobs = append(c.jobs, j)
	c.schedule(w)
}

func (j *job) phaseRange(c *Config) (lo, hi int) {
	if j.phase == 0 {
		return 0, c.Maps
	}
	return c.Maps, c.Maps + c.Reduces
}

// schedule gives idle workers work: the oldest job's next task first;
// when no job has a task left to start, backups.
func (c *Cluster) schedule(w *harness.World) {
	for len(c.free) > 0 {
		j, t, backup := c.pick()
		if j == nil {
			return
		}
		wid := c.free[len(c.free)-1]
		c.free = c.free[:len(c.free)-1]
		c.launch(w, wid, j, t, backup)
	}
}

func (c *Cluster) pick() (*job, int, bool) {
	for _, j := range c.jobs {
		if _, hi := j.phaseRange(&c.cfg); j.next < hi {
			t := j.next
			j.next++
			return j, t, false
		}
	}
	if !c.cfg.Backup {
		return nil, 0, false
	}
	for _, j := range c.jobs {
		lo, hi := j.phaseRange(&c.cfg)
		if float64(j.run) > c.cfg.BackupTail*float64(hi-lo) {
			continue // not close to completion yet
		}
		best := -1
		for t := lo; t < hi; t++ {
			tk := &j.tasks[t]
			if tk.state == running && tk.attempts == 1 && (best < 0 || tk.start < j.tasks[best].start) {
				best = t
			}
		}
		if best >= 0 {
			return j, best, true
		}
	}
	return nil, 0, false
}

func (c *Cluster) setBusy(now time.Duration, d int) {
	c.busyArea += float64(c.busyNow) * float64(now-c.busySince)
	c.busySince = now
	c.busyNow += d
}

func (c *Cluster) launch(w *harness.World, wid int32, j *job, t int, backup bool) {
	now := w.Now()
	tk := &j.tasks[t]
	if backup {
		c.backups++
	} else {
		tk.state = running
		tk.start = now
		j.run++
	}
	tk.workers[tk.attempts] = wid
	tk.attempts++
	c.attempts++
	wk := &c.workers[wid]
	wk.busy, wk.job, wk.task, wk.backup, wk.since = true, j, t, backup, now
	wk.epoch++
	c.setBusy(now, 1)

	var d float64
	if t < c.cfg.Maps {
		d = float64(c.cfg.MapTime.Next(w.Rand()))
	} else {
		r := t - c.cfg.Maps
		d = float64(c.cfg.ReduceTime.Next(w.Rand())) + float64(j.partBytes[r])/c.cfg.ShuffleBW*1e9
	}
	if c.cfg.StragglerFrac > 0 && w.Rand().Float64() < c.cfg.StragglerFrac {
		d *= c.cfg.Slowdown
		c.stragglers++
	}
	w.After(time.Duration(d), c.finishFn, nil, wk.epoch*maxWorkers+int64(wid))
}

// release frees a worker; its pending finish event is voided.
func (c *Cluster) release(now time.Duration, wid int32) {
	wk := &c.workers[wid]
	wk.busy, wk.job = false, nil
	wk.epoch++
	c.setBusy(now, -1)
	c.free = append(c.free, wid)
}

func (c *Cluster) finish(w *harness.World, _ *harness.Request, arg int64) {
	wid := int32(arg % maxWorkers)
	wk := &c.workers[wid]
	if !wk.busy || arg/maxWorkers != wk.epoch {
		return // killed: the other attempt won
	}
	now := w.Now()
	c.last = max(c.last, now)
	j, t := wk.job, wk.task
	tk := &j.tasks[t]
	if wk.backup {
		c.backupWins++
	}
	// The master commits this completion and kills the other attempt.
	for a := 0; a < int(tk.attempts); a++ {
		if o := tk.workers[a]; o != wid && c.workers[o].busy && c.workers[o].job == j && c.workers[o].task == t {
			c.killed++
			c.wasted += float64(now - c.workers[o].since)
			c.release(now, o)
		}
	}
	c.release(now, wid)
	tk.state = done
	j.run--
	j.left--
	j.last = wid
	if t < c.cfg.Maps {
		c.runMap(j, t)
	}
	if j.left == 0 {
		if j.phase == 0 {
			j.phase, j.next, j.left = 1, c.cfg.Maps, c.cfg.Reduces
		} else {
			c.complete(w, j)
		}
	}
	c.schedule(w)
}

// runMap applies the map function (and the combiner) to task t's split and
// delivers its partitioned output to the reduce inputs: once per task,
// for the winning attempt only.
func (c *Cluster) runMap(j *job, t int) {
	R := c.cfg.Reduces
	emit := func(word uint64, n int64) {
		r := Partition(word, R)
		j.partIn[r][word] += n
		j.partPairs[r]++
		b := pairBytes(word)
		j.partBytes[r] += b
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
	}
	if c.last > 0 {
		out["worker_utilisation"] = c.busyArea / (float64(c.cfg.Workers) * float64(c.last))
	}
	if c.busyArea > 0 {
		out["wasted_share"] = c.wasted / c.busyArea
	}
	if c.jobsDone > 0 {
		out["reduce_skew"] = c.skewSum / float64(c.jobsDone)
		out["shuffle_bytes_per_job"] = float64(c.shuffleBytes) / float64(c.jobsDone)
	}
	return out
}

// IntervalMetrics samples busy workers and jobs in the system.
func (c *Cluster) IntervalMetrics() map[string]float64 {
	return map[string]float64{"busy_workers": float64(c.busyNow), "jobs_in_system": float64(len(c.jobs))}
}

var (
	_ harness.SimTarget         = (*Cluster)(nil)
	_ harness.Metricser         = (*Cluster)(nil)
	_ harness.IntervalMetricser = (*Cluster)(nil)
)
