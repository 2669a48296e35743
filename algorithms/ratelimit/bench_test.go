package ratelimit

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
	"golang.org/x/time/rate"
)

// Every limiter's decision at twice its rate (about half denied), with a
// caller-supplied time, zero allocations per op.
func BenchmarkAllow(b *testing.B) {
	const r, burst = 1e6, 100
	mk := map[string]func() Limiter{
		"token-bucket":    func() Limiter { l, _ := NewTokenBucket(r, burst); return l },
		"gcra":            func() Limiter { l, _ := NewGCRA(r, burst); return l },
		"leaky-queue":     func() Limiter { l, _ := NewLeakyQueue(r, burst); return l },
		"fixed-window":    func() Limiter { l, _ := NewFixedWindow(r, time.Millisecond); return l },
		"sliding-log":     func() Limiter { l, _ := NewSlidingLog(r, time.Millisecond); return l },
		"sliding-counter": func() Limiter { l, _ := NewSlidingCounter(r, time.Millisecond); return l },
		"concurrency":     func() Limiter { l, _ := NewConcurrency(burst); return l },
		"x-time-rate":     func() Limiter { l, _ := NewXTimeRate(r, burst); return l },
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			l := mk[name]()
			b.ReportAllocs()
			now := time.Duration(0)
			for b.Loop() {
				now += 500 // 2e6 calls/s
				l.Allow(now)
			}
		})
	}
}

// The same decision on the concrete types, no interface call: token bucket
// Allow against x/time/rate's AllowN with a caller-supplied time.
func BenchmarkTokenBucketVsXTimeRate(b *testing.B) {
	b.Run("token-bucket/Allow", func(b *testing.B) {
		l, _ := NewTokenBucket(1e6, 100)
		b.ReportAllocs()
		now := time.Duration(0)
		for b.Loop() {
			now += 500
			l.Allow(now)
		}
	})
	b.Run("gcra/Allow", func(b *testing.B) {
		l, _ := NewGCRA(1e6, 100)
		b.ReportAllocs()
		now := time.Duration(0)
		for b.Loop() {
			now += 500
			l.Allow(now)
		}
	})
	b.Run("x-time-rate/AllowN", func(b *testing.B) {
		l := rate.NewLimiter(1e6, 100)
		b.ReportAllocs()
		t := xBase
		for b.Loop() {
			t = t.Add(500)
			l.AllowN(t, 1)
		}
	})
}

// Keyed decisions over 100k client keys: a table that holds them all (hits),
// and one of 10k keys that evicts on nine lookups in ten.
func BenchmarkKeyed100k(b *testing.B) {
	for _, c := range []struct {
		name     string
		capacity int
	}{{"hit", 100_000}, {"evict", 10_000}} {
		b.Run(c.name, func(b *testing.B) {
			tab := newBucketTable(c.capacity)
			keys := make([]uint32, 1<<16)
			r := rand.New(rand.NewPCG(1, 1))
			for i := range keys {
				keys[i] = uint32(r.IntN(100_000))
			}
			for k := 0; k < 100_000; k++ {
				tab.get(uint32(k), 0)
			}
			b.ReportAllocs()
			i, now := 0, time.Duration(0)
			for b.Loop() {
				now += 100
				tab.vals[tab.get(keys[i&(len(keys)-1)], now)].Allow(now)
				i++
			}
			b.ReportMetric(float64(tab.evictions)/float64(b.N), "evictions/op")
			b.ReportMetric(float64(newTokenBucket(1, 1).StateBytes())+tab.bytesPerEntry(), "bytes/key")
		})
	}
}

// The wall-clock target with every core deciding at once: one lock in
// global mode against 16 sharded tables in keyed mode.
func BenchmarkWallParallel(b *testing.B) {
	for _, mode := range []string{"global", "keyed"} {
		b.Run(mode, func(b *testing.B) {
			c, err := newCore(&kinds[0], testParams(map[string]string{"mode": mode, "rate": "1e6"}), wallShards)
			if err != nil {
				b.Fatal(err)
			}
			target := newWallTarget(c, runtime.GOMAXPROCS(0))
			var workers atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				worker := int(workers.Add(1))
				wt := target.Fork(worker, nil).(*wallWorker)
				r := rand.New(rand.NewPCG(uint64(worker), 2))
				op := workloads.Op{}
				now := time.Duration(0)
				for pb.Next() {
					now += 100
					op.Client = uint32(r.IntN(1000))
					wt.Do(now, &op)
				}
			})
			b.StopTimer()
			var locks, contends uint64
			for i := range c.shards {
				locks += c.shards[i].locks
				contends += c.shards[i].contends
			}
			b.ReportMetric(float64(contends)/float64(locks), "contended")
		})
	}
}

var _ harness.Target = (*wallWorker)(nil)
