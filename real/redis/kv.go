package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dsbench/dsbench/real/driver"
	"github.com/dsbench/dsbench/workloads"
)

// backend is one Redis server's client.
type backend struct {
	c      *goredis.Client
	prefix string
	index  string // sorted set of every inserted key, scored by its number
	cursor bool   // scan with SCAN … MATCH instead of the index
	limit  *limiter

	misses, conflicts atomic.Uint64
}

const kvKinds = "read, update, insert, delete, scan, rmw"

// Do runs one attempt of op.
func (b *backend) Do(ctx context.Context, op *workloads.Op) (driver.Result, error) {
	r := driver.Result{Shard: 0}
	if b.limit != nil {
		ok, err := b.limit.decide(ctx, b.c, op)
		r.Denied = !ok
		return r, err
	}
	key := driver.Key(b.prefix, op.Key)
	switch op.Kind {
	case workloads.Read:
		if err := b.c.Get(ctx, key).Err(); err != nil {
			if !isMiss(err) {
				return r, err
			}
			b.misses.Add(1)
		}
	case workloads.Update:
		return r, b.c.Set(ctx, key, driver.Value(int(op.Size)), 0).Err()
	case workloads.Insert:
		_, err := b.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			p.Set(ctx, key, driver.Value(int(op.Size)), 0)
			p.ZAdd(ctx, b.index, goredis.Z{Score: float64(op.Key), Member: key})
			return nil
		})
		return r, err
	case workloads.Delete:
		_, err := b.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			p.Del(ctx, key)
			p.ZRem(ctx, b.index, key)
			return nil
		})
		return r, err
	case workloads.Scan:
		return r, b.scan(ctx, op)
	case workloads.RMW:
		return r, b.rmw(ctx, key, int(op.Size))
	default:
		return r, driver.Unsupported(Name, op.Kind, kvKinds)
	}
	return r, nil
}

// scan reads up to op.Size records from op.Key on.
func (b *backend) scan(ctx context.Context, op *workloads.Op) error {
	var keys []string
	var err error
	if b.cursor {
		keys, _, err = b.c.Scan(ctx, 0, b.prefix+"[0-9]*", int64(op.Size)).Result()
	} else {
		keys, err = b.c.ZRangeByScore(ctx, b.index, &goredis.ZRangeBy{
			Min: strconv.FormatUint(op.Key, 10), Max: "+inf", Count: int64(max(op.Size, 1)),
		}).Result()
	}
	if err != nil || len(keys) == 0 {
		return err
	}
	return b.c.MGet(ctx, keys...).Err()
}

// rmw reads the key and writes it back in a WATCH/MULTI/EXEC transaction,
// again if another client wrote it in between, until the attempt's
// op_timeout: a key hot enough to starve a client fails its op as a timeout.
func (b *backend) rmw(ctx context.Context, key string, size int) error {
	for ctx.Err() == nil {
		err := b.c.Watch(ctx, func(tx *goredis.Tx) error {
			if err := tx.Get(ctx, key).Err(); err != nil && !isMiss(err) {
				return err
			}
			_, err := tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				p.Set(ctx, key, driver.Value(size), 0)
				return nil
			})
			return err
		}, key)
		if !errors.Is(err, goredis.TxFailedErr) {
			return err
		}
		b.conflicts.Add(1)
	}
	return fmt.Errorf("real/redis: read-modify-write kept losing the WATCH race: %w", ctx.Err())
}

// LoadBatch writes keys [from, to) and their index entries in one pipeline.
func (b *backend) LoadBatch(ctx context.Context, from, to uint64, size int) error {
	_, err := b.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		zs := make([]goredis.Z, 0, to-from)
		for k := from; k < to; k++ {
			key := driver.Key(b.prefix, k)
			p.Set(ctx, key, driver.Value(size), 0)
			zs = append(zs, goredis.Z{Score: float64(k), Member: key})
		}
		p.ZAdd(ctx, b.index, zs...)
		return nil
	})
	return err
}

// Cleanup unlinks every key under the prefix (the index and the limiters'
// keys included), walking the keyspace with SCAN.
func (b *backend) Cleanup(ctx context.Context) error {
	var cursor uint64
	for {
		keys, next, err := b.c.Scan(ctx, cursor, b.prefix+"*", 1000).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := b.c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

func (b *backend) Close() error { return b.c.Close() }

// Metrics: misses (reads of absent keys), watch_conflicts (read-modify-write
// attempts another client's write aborted).
func (b *backend) Metrics() map[string]float64 {
	return map[string]float64{
		"misses":          float64(b.misses.Load()),
		"watch_conflicts": float64(b.conflicts.Load()),
	}
}
