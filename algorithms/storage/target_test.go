package storage

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/dsbench/dsbench/workloads"
)

func TestUnsupportedKindIsAnError(t *testing.T) {
	tg := NewTarget(NewMap(), 1)
	op := workloads.Op{Kind: workloads.Acquire}
	if out := tg.Do(0, &op); !errors.Is(out.Err, ErrUnsupportedKind) {
		t.Fatalf("acquire: err = %v, want ErrUnsupportedKind", out.Err)
	}
}

// nopKV isolates the adapter so its own allocations can be counted.
type nopKV struct{}

func (nopKV) Get(k, buf []byte) ([]byte, bool, error) { return append(buf, k...), true, nil }
func (nopKV) Put(k, v []byte) error                   { return nil }
func (nopKV) Delete(k []byte) error                   { return nil }
func (nopKV) Scan(s []byte, limit int, fn func(k, v []byte) bool) error {
	fn(s, s)
	return nil
}
func (nopKV) Close() error { return nil }

func TestAdapterAllocatesNothingPerOp(t *testing.T) {
	w := NewTarget(nopKV{}, 1).Fork(0, rand.New(rand.NewPCG(1, 1)))
	for k := workloads.Read; k <= workloads.Delete; k++ {
		op := workloads.Op{Kind: k, Key: 42, Size: 100}
		if a := testing.AllocsPerRun(200, func() { w.Do(0, &op) }); a != 0 {
			t.Errorf("%s: %.1f allocs per op, want 0", k, a)
		}
	}
}

// TestLoadCountedOnce checks that the load phase's puts are counted once in
// user_puts and user_bytes_written (the root worker, which runs the load, is
// also in the worker list).
func TestLoadCountedOnce(t *testing.T) {
	tg := NewTarget(NewMap(), 1)
	defer tg.Close()
	if err := tg.Load(1000, 50); err != nil {
		t.Fatal(err)
	}
	w := tg.Fork(0, rand.New(rand.NewPCG(1, 1)))
	op := workloads.Op{Kind: workloads.Update, Key: 3, Size: 20}
	w.Do(0, &op)
	m := tg.Metrics()
	if m["user_puts"] != 1001 || m["user_bytes_written"] != 1000*(KeyLen+50)+KeyLen+20 {
		t.Fatalf("user_puts=%v user_bytes_written=%v, want 1001 and %d", m["user_puts"], m["user_bytes_written"], 1000*(KeyLen+50)+KeyLen+20)
	}
}
