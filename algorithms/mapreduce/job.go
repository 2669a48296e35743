package mapreduce

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// Config describes the cluster and the job every op submits.
type Config struct {
	Maps, Reduces, Workers int
	Records                int                    // input lines per map task
	LineWords              int                    // words per line
	Words                  string                 // key distribution of the words
	Combiner               bool                   // run the combiner in map tasks
	MapTime, ReduceTime    workloads.DurationDist // task durations (a reduce adds its shuffle time)
	ShuffleBW              float64                // bytes/s a reduce task fetches its input at
	StragglerFrac          float64                // probability an attempt straggles
	Slowdown               float64                // a straggler's duration multiplier
	Backup                 bool                   // run backup tasks near the end of a phase
	BackupTail             float64                // phase "close to completion": at most this share running
	Kill                   int                    // workers that fail at KillAt (§3.3)
	KillAt                 time.Duration
	Ping                   time.Duration // the master pings every worker this often; a dead one is noticed at the next ping
}

// maxWorkers bounds the worker index packed into event arguments.
const maxWorkers = 1 << 20

var pureDists = []string{"uniform", "zipf", "scrambled-zipf", "hotspot", "weighted"}

// Check reports what is wrong with c as a whole, naming the bad value and
// the valid choices.
func (c Config) Check() error {
	switch {
	case c.Maps < 1 || c.Reduces < 1:
		return fmt.Errorf("mapreduce: maps=%d reduces=%d: need at least 1 of each", c.Maps, c.Reduces)
	case c.Workers < 1 || c.Workers >= maxWorkers:
		return fmt.Errorf("mapreduce: workers=%d (valid: 1…%d)", c.Workers, maxWorkers-1)
	case c.Records < 1 || c.LineWords < 1:
		return fmt.Errorf("mapreduce: records=%d line_words=%d: need at least 1 of each", c.Records, c.LineWords)
	case c.MapTime == nil || c.ReduceTime == nil:
		return fmt.Errorf("mapreduce: no task duration distribution")
	case c.ShuffleBW <= 0:
		return fmt.Errorf("mapreduce: shuffle_bw=%v: need a positive rate in bytes/s", c.ShuffleBW)
	case c.StragglerFrac < 0 || c.StragglerFrac > 1:
		return fmt.Errorf("mapreduce: straggler_frac=%v (valid: 0…1)", c.StragglerFrac)
	case c.Slowdown < 1:
		return fmt.Errorf("mapreduce: slowdown=%v (valid: at least 1)", c.Slowdown)
	case c.Kill < 0 || c.Kill >= c.Workers:
		return fmt.Errorf("mapreduce: kill=%d with workers=%d (valid: 0…%d, at least one worker must survive)", c.Kill, c.Workers, c.Workers-1)
	case c.KillAt < 0:
		return fmt.Errorf("mapreduce: kill_at=%v: need a time at or after the start", c.KillAt)
	case c.Ping <= 0:
		return fmt.Errorf("mapreduce: ping=%v: need a positive interval", c.Ping)
	case c.BackupTail <= 0 || c.BackupTail > 1:
		return fmt.Errorf("mapreduce: backup_tail=%v (valid: above 0, at most 1)", c.BackupTail)
	}
	_, err := c.wordDist()
	return err
}

func (c Config) wordDist() (workloads.KeyDist, error) {
	name, _, _ := strings.Cut(c.Words, ":")
	ok := false
	for _, n := range pureDists {
		ok = ok || n == name
	}
	if !ok {
		return nil, fmt.Errorf("mapreduce: words=%q: the map input must be a stateless key distribution (valid: %s)", c.Words, strings.Join(pureDists, ", "))
	}
	d, err := workloads.ParseKeyDist(c.Words)
	if err != nil {
		return nil, fmt.Errorf("mapreduce: words=%q: %v", c.Words, err)
	}
	return d, nil
}

// Input calls emit with every word of map task task's input split for a
// job seeded with seed. The split is a pure function of (seed, task): a
// backup attempt reads the same input.
func Input(words workloads.KeyDist, seed uint64, task, records, lineWords int, emit func(word uint64)) {
	r := rand.New(rand.NewPCG(seed, uint64(task)*0x9E3779B97F4A7C15+1))
	for i := 0; i < records*lineWords; i++ {
		emit(words.Next(r))
	}
}

// WordBytes appends the word's text (its decimal id) to dst.
func WordBytes(dst []byte, word uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + word%10)
		word /= 10
		if word == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

// Partition is the default partitioning function, hash(key) mod R, with
// FNV-1a (64-bit) over the word's text.
func Partition(word uint64, r int) int {
	var b [20]byte
	h := uint64(14695981039346656037)
	for _, c := range WordBytes(b[:0], word) {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return int(h % uint64(r))
}

// pairBytes is the size of one intermediate pair: the key's text and an
// 8-byte count.
func pairBytes(word uint64) int64 {
	n := int64(1)
	for word >= 10 {
		word /= 10
		n++
	}
	return n + 8
}

// Output is a finished job's result: per reduce partition, word → count.
type Output struct {
	Seed       uint64
	Partitions []map[uint64]int64
	InputWords int64
	Elapsed    time.Duration
}
