package merge

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dsbench/dsbench/results"
)

// ParseShard reads "k/n" (0 ≤ k < n), as dsbench run --shard takes it.
func ParseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return 0, 0, fmt.Errorf("shard %q is not k/n with 0 ≤ k < n", s)
	}
	return k, n, nil
}

// shardOf returns the one shard a document holds: every run of a shard
// document carries the same "k/n".
func shardOf(i int, d *results.Document) (k, n int, err error) {
	if len(d.Runs) == 0 {
		return 0, 0, fmt.Errorf("input %d has no runs", i+1)
	}
	s := d.Runs[0].Shard
	if s == "" {
		return 0, 0, fmt.Errorf("input %d was not run as a shard (no --shard k/n)", i+1)
	}
	for _, r := range d.Runs[1:] {
		if r.Shard != s {
			return 0, 0, fmt.Errorf("input %d mixes shards %s and %s", i+1, s, r.Shard)
		}
	}
	k, n, err = ParseShard(s)
	if err != nil {
		return 0, 0, fmt.Errorf("input %d: %w", i+1, err)
	}
	return k, n, nil
}

// checkShards requires the inputs to be shards 0…n−1 of one n, each once.
func checkShards(docs []*results.Document) error {
	seen := map[int]int{}
	total := 0
	for i, d := range docs {
		k, n, err := shardOf(i, d)
		if err != nil {
			return err
		}
		if total == 0 {
			total = n
		} else if n != total {
			return fmt.Errorf("input %d is a shard of %d, input 1 of %d: not one run", i+1, n, total)
		}
		if j, dup := seen[k]; dup {
			return fmt.Errorf("inputs %d and %d are both shard %d/%d", j+1, i+1, k, n)
		}
		seen[k] = i
	}
	var missing []string
	for k := 0; k < total; k++ {
		if _, ok := seen[k]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", k, total))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("shards missing: %s", strings.Join(missing, ", "))
	}
	return nil
}
