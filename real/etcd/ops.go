package etcd

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/real/driver"
	"github.com/dsbench/dsbench/workloads"
)

// backend is one etcd cluster's client.
type backend struct {
	c        *clientv3.Client
	prefix   string
	readOpts []clientv3.OpOption
	shards   map[uint64]int32 // member id → shard (its place in endpoints)
	leader   int32
	locks    *driver.Locks
	ttl      int // lock sessions' lease TTL, s

	misses, conflicts, unknownMembers atomic.Uint64
}

const kinds = "read, update, insert, delete, scan, rmw, acquire, release"

// shard maps a response header to the member that served it.
func (b *backend) shard(h *pb.ResponseHeader) int32 {
	if h == nil {
		return harness.NoShard
	}
	if s, ok := b.shards[h.MemberId]; ok {
		return s
	}
	b.unknownMembers.Add(1)
	return harness.NoShard
}

// Do runs one attempt of op.
func (b *backend) Do(ctx context.Context, op *workloads.Op) (driver.Result, error) {
	key := driver.Key(b.prefix, op.Key)
	r := driver.Result{Shard: harness.NoShard}
	switch op.Kind {
	case workloads.Read:
		resp, err := b.c.Get(ctx, key, b.readOpts...)
		if err != nil {
			return r, err
		}
		if len(resp.Kvs) == 0 {
			b.misses.Add(1)
		}
		r.Shard = b.shard(resp.Header)
	case workloads.Update, workloads.Insert:
		resp, err := b.c.Put(ctx, key, string(driver.Value(int(op.Size))))
		if err != nil {
			return r, err
		}
		r.Shard = b.shard(resp.Header)
	case workloads.Delete:
		resp, err := b.c.Delete(ctx, key)
		if err != nil {
			return r, err
		}
		r.Shard = b.shard(resp.Header)
	case workloads.Scan:
		opts := append([]clientv3.OpOption{clientv3.WithRange(clientv3.GetPrefixRangeEnd(b.prefix)), clientv3.WithLimit(int64(max(op.Size, 1)))}, b.readOpts...)
		resp, err := b.c.Get(ctx, key, opts...)
		if err != nil {
			return r, err
		}
		r.Shard = b.shard(resp.Header)
	case workloads.RMW:
		return b.rmw(ctx, key, int(op.Size))
	case workloads.Acquire:
		return b.acquire(ctx, op)
	case workloads.Release:
		_, err := b.locks.Release(op.Client, op.Key)
		return r, err
	default:
		return r, driver.Unsupported(Name, op.Kind, kinds)
	}
	return r, nil
}

// rmw reads the key and puts it back in a Txn guarded by the revision read.
func (b *backend) rmw(ctx context.Context, key string, size int) (driver.Result, error) {
	r := driver.Result{Shard: harness.NoShard}
	for ctx.Err() == nil { // until op_timeout, like real/redis's WATCH loop
		g, err := b.c.Get(ctx, key)
		if err != nil {
			return r, err
		}
		var rev int64
		if len(g.Kvs) > 0 {
			rev = g.Kvs[0].ModRevision
		}
		t, err := b.c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
			Then(clientv3.OpPut(key, string(driver.Value(size)))).Commit()
		if err != nil {
			return r, err
		}
		r.Shard = b.shard(t.Header)
		if t.Succeeded {
			return r, nil
		}
		b.conflicts.Add(1)
	}
	return r, fmt.Errorf("real/etcd: read-modify-write kept losing the revision race: %w", ctx.Err())
}

// acquire takes the lock of op's key for op's client: a session (lease)
// and a mutex key under the lock's prefix, waiting until it is the oldest.
func (b *backend) acquire(ctx context.Context, op *workloads.Op) (driver.Result, error) {
	r := driver.Result{Shard: harness.NoShard}
	if b.locks.Holds(op.Client, op.Key) {
		return r, nil
	}
	s, err := concurrency.NewSession(b.c, concurrency.WithTTL(b.ttl))
	if err != nil {
		return r, err
	}
	m := concurrency.NewMutex(s, driver.Key(b.prefix+"locks/", op.Key))
	if err := m.Lock(ctx); err != nil {
		s.Close() // revokes the lease: the waiter's key goes with it
		return r, err
	}
	r.Shard = b.shard(m.Header())
	b.locks.Acquired(op.Client, op.Key, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), driver.ReachTimeout)
		defer cancel()
		return errors.Join(m.Unlock(ctx), s.Close())
	})
	return r, nil
}

// LoadBatch puts keys [from, to) in transactions of up to maxTxnOps puts.
func (b *backend) LoadBatch(ctx context.Context, from, to uint64, size int) error {
	val := string(driver.Value(size))
	for lo := from; lo < to; lo += maxTxnOps {
		hi := min(lo+maxTxnOps, to)
		ops := make([]clientv3.Op, 0, hi-lo)
		for k := lo; k < hi; k++ {
			ops = append(ops, clientv3.OpPut(driver.Key(b.prefix, k), val))
		}
		if _, err := b.c.Txn(ctx).Then(ops...).Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Cleanup releases held locks and deletes every key under the prefix.
func (b *backend) Cleanup(ctx context.Context) error {
	b.locks.ReleaseAll()
	_, err := b.c.Delete(ctx, b.prefix, clientv3.WithPrefix())
	return err
}

func (b *backend) Close() error {
	b.locks.ReleaseAll()
	return b.c.Close()
}

// Metrics: misses, txn_conflicts (read-modify-write attempts another
// write aborted), the lock counts, leader_shard (the member that led when
// the run started, -1 if none answered as leader), unknown_members
// (answers from a member not in endpoints).
func (b *backend) Metrics() map[string]float64 {
	m := map[string]float64{
		"misses":          float64(b.misses.Load()),
		"txn_conflicts":   float64(b.conflicts.Load()),
		"leader_shard":    float64(b.leader),
		"unknown_members": float64(b.unknownMembers.Load()),
	}
	b.locks.Metrics(m)
	return m
}
