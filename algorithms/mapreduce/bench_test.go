package mapreduce

import (
	"testing"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The simulator's cost per job at the defaults (40 maps × 500 words,
// 10 reduces, 20 workers, backups on): real map and reduce work included.
func BenchmarkJob(b *testing.B) {
	c, _ := NewCluster(cfgOf(b, nil), 1)
	w := harness.NewWorld(1, func(*harness.Request, harness.Outcome) {})
	b.ReportAllocs()
	var seq uint64
	for b.Loop() {
		req := &harness.Request{Op: workloads.Op{Seq: seq, At: w.Now()}}
		seq++
		c.Start(w, req)
		for w.Pending() > 0 {
			w.Step()
		}
	}
}

func BenchmarkPartition(b *testing.B) {
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		Partition(i, 4000)
	}
}
