package lsm

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The registered target loads, serves every YCSB kind through forked
// workers, reports the documented figures and removes its temporary directory.
func TestTargetYCSB(t *testing.T) {
	info, err := algorithms.Lookup("storage/lsm")
	if err != nil {
		t.Fatal(err)
	}
	if info.Tour {
		t.Fatal("storage/lsm must not claim the storage tour")
	}
	for _, comp := range []string{compLeveled, compTiered} {
		p, err := info.Resolve(map[string]string{"memtable": "16384", "compaction": comp})
		if err != nil {
			t.Fatal(err)
		}
		tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Wall, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.(harness.Loader).Load(2000, 100); err != nil {
			t.Fatal(err)
		}
		w := tg.(harness.Forker).Fork(0, rand.New(rand.NewPCG(1, 2)))
		r := rand.New(rand.NewPCG(3, 4))
		kinds := []workloads.Kind{workloads.Read, workloads.Update, workloads.Insert, workloads.Scan, workloads.RMW, workloads.Delete}
		for i := 0; i < 4000; i++ {
			op := workloads.Op{Seq: uint64(i), Kind: kinds[r.IntN(len(kinds))], Key: r.Uint64N(3000), Size: 100}
			if out := w.Do(0, &op); out.Err != nil {
				t.Fatalf("%s: %v", op.Kind, out.Err)
			}
		}
		im := tg.(harness.IntervalMetricser).IntervalMetrics()
		for _, k := range []string{"l0_files", "memtable_bytes", "pending_compaction_bytes"} {
			if _, ok := im[k]; !ok {
				t.Errorf("interval metric %s missing: %v", k, im)
			}
		}
		m := tg.(harness.Metricser).Metrics()
		for _, k := range []string{"write_amp", "write_amp_no_wal", "read_amp", "space_amp", "bytes_flushed", "bytes_compacted",
			"compactions", "compaction_s", "stalls", "stall_s", "bloom_true_positive_rate", "bloom_false_positive_rate", "l0_files"} {
			if _, ok := m[k]; !ok {
				t.Errorf("metric %s missing", k)
			}
		}
		if m["write_amp_wal"] <= m["write_amp"] || m["write_amp"] != m["write_amp_no_wal"] || m["write_amp_no_wal"] < 1 || m["space_amp"] <= 0 || m["bytes_flushed"] == 0 {
			t.Errorf("implausible figures: %v", m)
		}
		e := tg.(*storage.Target).KV().(*Engine)
		if !strings.HasPrefix(filepath.Base(e.dir), "dsbench-lsm-") || !e.owned {
			t.Fatalf("dir %s not a temporary directory of the run", e.dir)
		}
		if err := tg.(io.Closer).Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(e.dir); !os.IsNotExist(err) {
			t.Fatalf("temporary directory %s survived Close: %v", e.dir, err)
		}
	}
}

func TestTargetRejectsBadParams(t *testing.T) {
	info, _ := algorithms.Lookup("storage/lsm")
	for _, raw := range []map[string]string{{"sync": "often"}, {"compaction": "random"}, {"bloom_bits": "-1"}, {"memtable": "10"}} {
		if _, err := info.Resolve(raw); err == nil {
			t.Errorf("%v accepted", raw)
		}
	}
}
