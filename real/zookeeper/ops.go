package zookeeper

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/go-zookeeper/zk"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/real/driver"
	"github.com/dsbench/dsbench/workloads"
)

// bucketSize is how many keys share a parent znode.
const bucketSize = 1000

// maxVersionAttempts bounds one read-modify-write's optimistic attempts
// (the call itself is abandoned at op_timeout).
const maxVersionAttempts = 10000

var acl = zk.WorldACL(zk.PermAll)

// backend is one ensemble's sessions.
type backend struct {
	conns  []*zk.Conn
	next   atomic.Uint64
	prefix string
	sync   bool
	shards map[string]int32 // server address → shard
	locks  *driver.Locks

	mu      sync.Mutex
	buckets map[uint64]bool // parents known to exist

	misses, conflicts, abandoned atomic.Uint64
}

const kinds = "read, update, insert, delete, rmw, acquire, release"

func (b *backend) bucketPath(k uint64) string {
	return driver.Key(b.prefix+"/k/", k/bucketSize)
}

func (b *backend) path(k uint64) string {
	return b.bucketPath(k) + "/" + strconv.FormatUint(k, 10)
}

// ensure creates path if it is absent.
func (b *backend) ensure(c *zk.Conn, path string) error {
	_, err := c.Create(path, nil, 0, acl)
	if err != nil && !errors.Is(err, zk.ErrNodeExists) {
		return err
	}
	return nil
}

// ensureBucket creates key k's parent once.
func (b *backend) ensureBucket(c *zk.Conn, k uint64) error {
	bk := k / bucketSize
	b.mu.Lock()
	known := b.buckets[bk]
	b.mu.Unlock()
	if known {
		return nil
	}
	if err := b.ensure(c, b.bucketPath(k)); err != nil {
		return err
	}
	b.mu.Lock()
	b.buckets[bk] = true
	b.mu.Unlock()
	return nil
}

// call runs fn, giving up when ctx ends first; the session still finishes
// an abandoned call.
func (b *backend) call(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		b.abandoned.Add(1)
		return ctx.Err()
	}
}

// Do runs one attempt of op on the next session.
func (b *backend) Do(ctx context.Context, op *workloads.Op) (driver.Result, error) {
	c := b.conns[b.next.Add(1)%uint64(len(b.conns))]
	r := driver.Result{Shard: harness.NoShard}
	if s, ok := b.shards[c.Server()]; ok {
		r.Shard = s
	}
	path := b.path(op.Key)
	var err error
	switch op.Kind {
	case workloads.Read:
		err = b.call(ctx, func() error {
			if b.sync {
				if _, err := c.Sync(path); err != nil && !errors.Is(err, zk.ErrNoNode) {
					return err
				}
			}
			_, _, err := c.Get(path)
			return b.miss(err)
		})
	case workloads.Update:
		err = b.call(ctx, func() error { return b.write(c, op, true) })
	case workloads.Insert:
		err = b.call(ctx, func() error { return b.write(c, op, false) })
	case workloads.Delete:
		err = b.call(ctx, func() error { return b.miss(c.Delete(path, -1)) })
	case workloads.RMW:
		err = b.call(ctx, func() error { return b.rmw(c, op) })
	case workloads.Acquire:
		err = b.acquire(ctx, c, op)
	case workloads.Release:
		var held bool
		if held, err = b.locks.Release(op.Client, op.Key); !held {
			r.Shard = harness.NoShard // answered here: nothing was held
		}
	default:
		err = driver.Unsupported(Name, op.Kind, kinds)
	}
	return r, err
}

// miss turns "no such znode" into a counted miss.
func (b *backend) miss(err error) error {
	if errors.Is(err, zk.ErrNoNode) {
		b.misses.Add(1)
		return nil
	}
	return err
}

// write sets the znode (update first) or creates it (insert first),
// falling back to the other when it is absent or present.
func (b *backend) write(c *zk.Conn, op *workloads.Op, setFirst bool) error {
	path, data := b.path(op.Key), driver.Value(int(op.Size))
	if setFirst {
		_, err := c.Set(path, data, -1)
		if !errors.Is(err, zk.ErrNoNode) {
			return err
		}
	}
	if err := b.ensureBucket(c, op.Key); err != nil {
		return err
	}
	_, err := c.Create(path, data, 0, acl)
	if errors.Is(err, zk.ErrNodeExists) {
		_, err = c.Set(path, data, -1)
	}
	return err
}

// rmw reads the znode and writes it back at the version read.
func (b *backend) rmw(c *zk.Conn, op *workloads.Op) error {
	path, data := b.path(op.Key), driver.Value(int(op.Size))
	for range maxVersionAttempts {
		_, st, err := c.Get(path)
		if errors.Is(err, zk.ErrNoNode) {
			if err := b.ensureBucket(c, op.Key); err != nil {
				return err
			}
			if _, err = c.Create(path, data, 0, acl); !errors.Is(err, zk.ErrNodeExists) {
				return err
			}
			b.conflicts.Add(1)
			continue
		}
		if err != nil {
			return err
		}
		if _, err = c.Set(path, data, st.Version); !errors.Is(err, zk.ErrBadVersion) {
			return err
		}
		b.conflicts.Add(1)
	}
	return errors.New("real/zookeeper: read-modify-write lost the version race 10000 times in a row")
}

// acquire takes the lock of op's key for op's client with the lock recipe.
func (b *backend) acquire(ctx context.Context, c *zk.Conn, op *workloads.Op) error {
	if b.locks.Holds(op.Client, op.Key) {
		return nil
	}
	l := zk.NewLock(c, driver.Key(b.prefix+"/locks/", op.Key), acl)
	done := make(chan error, 1)
	go func() { done <- l.Lock() }()
	select {
	case err := <-done:
		if err != nil {
			return err
		}
		b.locks.Acquired(op.Client, op.Key, l.Unlock)
		return nil
	case <-ctx.Done():
		b.abandoned.Add(1)
		go func() { // granted too late: give it back
			if <-done == nil {
				l.Unlock()
			}
		}()
		return ctx.Err()
	}
}

// LoadBatch creates keys [from, to) in multi transactions of one bucket
// each (a key already present is set instead).
func (b *backend) LoadBatch(ctx context.Context, from, to uint64, size int) error {
	c := b.conns[0]
	data := driver.Value(size)
	for lo := from; lo < to; {
		hi := min(to, (lo/bucketSize+1)*bucketSize)
		if err := b.ensureBucket(c, lo); err != nil {
			return err
		}
		ops := make([]any, 0, hi-lo)
		for k := lo; k < hi; k++ {
			ops = append(ops, &zk.CreateRequest{Path: b.path(k), Data: data, Acl: acl})
		}
		if _, err := c.Multi(ops...); err != nil {
			if !errors.Is(err, zk.ErrNodeExists) {
				return err
			}
			for k := lo; k < hi; k++ { // some exist: one by one
				if err := b.write(c, &workloads.Op{Key: k, Size: uint32(size)}, false); err != nil {
					return err
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lo = hi
	}
	return nil
}

// Cleanup releases held locks and deletes the prefix's tree.
func (b *backend) Cleanup(ctx context.Context) error {
	b.locks.ReleaseAll()
	if len(b.conns) == 0 {
		return nil
	}
	return b.deleteTree(ctx, b.conns[0], b.prefix)
}

// deleteTree deletes path and everything below it, children in multis.
func (b *backend) deleteTree(ctx context.Context, c *zk.Conn, path string) error {
	kids, _, err := c.Children(path)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	if err != nil {
		return err
	}
	var leaves []any
	for _, k := range kids {
		child := path + "/" + k
		_, st, err := c.Get(child)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return err
		}
		if st.NumChildren > 0 {
			if err := b.deleteTree(ctx, c, child); err != nil {
				return err
			}
			continue
		}
		leaves = append(leaves, &zk.DeleteRequest{Path: child, Version: -1})
		if len(leaves) == 500 {
			if _, err := c.Multi(leaves...); err != nil && !errors.Is(err, zk.ErrNoNode) {
				return err
			}
			leaves = leaves[:0]
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if len(leaves) > 0 {
		if _, err := c.Multi(leaves...); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return err
		}
	}
	if err := c.Delete(path, -1); err != nil && !errors.Is(err, zk.ErrNoNode) && !errors.Is(err, zk.ErrNotEmpty) {
		return err
	}
	return nil
}

func (b *backend) Close() error {
	b.locks.ReleaseAll()
	for _, c := range b.conns {
		c.Close()
	}
	return nil
}

// Metrics: misses (reads and deletes of absent znodes), version_conflicts
// (read-modify-write attempts another write aborted), abandoned_calls
// (attempts given up at op_timeout), the lock counts.
func (b *backend) Metrics() map[string]float64 {
	m := map[string]float64{
		"misses":            float64(b.misses.Load()),
		"version_conflicts": float64(b.conflicts.Load()),
		"abandoned_calls":   float64(b.abandoned.Load()),
	}
	b.locks.Metrics(m)
	return m
}
