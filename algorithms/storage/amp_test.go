package storage_test

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// ampKV reports its own write_amp; the adapter's must replace it.
type ampKV struct{ *storage.Map }

func (ampKV) Metrics() map[string]float64 {
	return map[string]float64{"bytes_written": 232, "write_amp": 99, "write_amp_wal": 98}
}

func TestAdapterFiguresTakePrecedence(t *testing.T) {
	tg := storage.NewTarget(ampKV{storage.NewMap()}, 1)
	defer tg.Close()
	if err := tg.Load(1, 100); err != nil {
		t.Fatal(err)
	}
	m := tg.Metrics()
	if m["write_amp"] != 2 || m["write_amp_wal"] != 2 {
		t.Fatalf("write_amp=%v write_amp_wal=%v, want the adapter's 232/116 = 2", m["write_amp"], m["write_amp_wal"])
	}
}
