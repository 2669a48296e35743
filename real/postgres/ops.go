package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dsbench/dsbench/real/driver"
	"github.com/dsbench/dsbench/workloads"
)

// backend is one database's connection pool and the statements of its table.
type backend struct {
	pool   *pgxpool.Pool
	prefix string
	table  string
	shards int // logical shards (table=ids)

	// The table's statements (pgx prepares and caches each per connection).
	read, update, upsert, del, scan, lock string
	insertIDs                             []string // per logical shard

	// refs numbers the cells this process writes: ref_key increases with
	// each write, from the wall clock at the start (so a later run's cells
	// are newer), as a Schemaless writer's versions do.
	refs atomic.Int64

	misses, conflicts, ids, duplicates, badIDs atomic.Uint64
}

func (b *backend) statements() {
	p := b.prefix
	switch b.table {
	case "usertable":
		t := p + "usertable"
		b.read = `SELECT field0 FROM ` + t + ` WHERE ycsb_key = $1`
		b.update = `UPDATE ` + t + ` SET field0 = $2 WHERE ycsb_key = $1`
		b.upsert = `INSERT INTO ` + t + ` (ycsb_key, field0) VALUES ($1, $2) ON CONFLICT (ycsb_key) DO UPDATE SET field0 = excluded.field0`
		b.del = `DELETE FROM ` + t + ` WHERE ycsb_key = $1`
		b.scan = `SELECT ycsb_key, field0 FROM ` + t + ` WHERE ycsb_key >= $1 ORDER BY ycsb_key LIMIT $2`
		b.lock = `SELECT field0 FROM ` + t + ` WHERE ycsb_key = $1 FOR UPDATE`
	case "cells":
		t := p + "cells"
		b.read = `SELECT body FROM ` + t + ` WHERE row_key = $1 AND column_name = 'BASE' ORDER BY ref_key DESC LIMIT 1`
		b.upsert = `INSERT INTO ` + t + ` (row_key, column_name, ref_key, body) VALUES ($1, 'BASE', $2, $3) ON CONFLICT DO NOTHING`
		b.scan = `SELECT added_id, row_key, body FROM ` + t + ` WHERE added_id > $1 ORDER BY added_id LIMIT $2`
	case "ids":
		for s := range b.shards {
			b.insertIDs = append(b.insertIDs, `INSERT INTO `+b.schema(s)+`.photos (user_id) VALUES ($1) RETURNING id`)
		}
	}
}

// Do runs one attempt of op.
func (b *backend) Do(ctx context.Context, op *workloads.Op) (driver.Result, error) {
	switch b.table {
	case "cells":
		return driver.Result{Shard: 0}, b.cells(ctx, op)
	case "ids":
		return b.nextID(ctx, op)
	}
	return driver.Result{Shard: 0}, b.usertable(ctx, op)
}

func (b *backend) usertable(ctx context.Context, op *workloads.Op) error {
	key := driver.Key("", op.Key)
	val := string(driver.Value(int(op.Size)))
	switch op.Kind {
	case workloads.Read:
		var v string
		return b.miss(b.pool.QueryRow(ctx, b.read, key).Scan(&v))
	case workloads.Update:
		tag, err := b.pool.Exec(ctx, b.update, key, val)
		if err == nil && tag.RowsAffected() == 0 {
			b.misses.Add(1)
		}
		return err
	case workloads.Insert:
		_, err := b.pool.Exec(ctx, b.upsert, key, val)
		return err
	case workloads.Delete:
		tag, err := b.pool.Exec(ctx, b.del, key)
		if err == nil && tag.RowsAffected() == 0 {
			b.misses.Add(1)
		}
		return err
	case workloads.Scan:
		return b.rows(ctx, b.scan, key, int64(max(op.Size, 1)))
	case workloads.RMW:
		return pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
			var v string
			if err := tx.QueryRow(ctx, b.lock, key).Scan(&v); err != nil {
				return b.miss(err)
			}
			_, err := tx.Exec(ctx, b.update, key, val)
			return err
		})
	}
	return driver.Unsupported(Name+" table=usertable", op.Kind, "read, update, insert, delete, scan, rmw")
}

func (b *backend) cells(ctx context.Context, op *workloads.Op) error {
	key := driver.Key("", op.Key)
	switch op.Kind {
	case workloads.Read:
		var v string
		return b.miss(b.pool.QueryRow(ctx, b.read, key).Scan(&v))
	case workloads.Update, workloads.Insert, workloads.RMW:
		tag, err := b.pool.Exec(ctx, b.upsert, key, b.refs.Add(1), string(driver.Value(int(op.Size))))
		if err == nil && tag.RowsAffected() == 0 {
			b.conflicts.Add(1) // the cell (row, column, ref_key) exists: immutable
		}
		return err
	case workloads.Scan:
		return b.rows(ctx, b.scan, int64(op.Key), int64(max(op.Size, 1)))
	}
	return driver.Unsupported(Name+" table=cells (append-only)", op.Kind, "read, update, insert, rmw, scan")
}

// nextID inserts a photo of user op.Key in the user's logical shard.
func (b *backend) nextID(ctx context.Context, op *workloads.Op) (driver.Result, error) {
	shard := int(op.Key % uint64(b.shards))
	r := driver.Result{Shard: int32(shard)}
	var id int64
	err := b.pool.QueryRow(ctx, b.insertIDs[shard], int64(op.Key)).Scan(&id)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		b.duplicates.Add(1) // nextval % 1024 wrapped within one ms
	}
	if err != nil {
		return r, err
	}
	b.ids.Add(1)
	if int((id>>10)&(1<<13-1)) != shard {
		b.badIDs.Add(1)
	}
	return r, nil
}

// rows reads every row of a query.
func (b *backend) rows(ctx context.Context, sql string, args ...any) error {
	rows, err := b.pool.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

// miss turns "no row" into a counted miss.
func (b *backend) miss(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		b.misses.Add(1)
		return nil
	}
	return err
}

// LoadBatch writes keys [from, to) in one statement (unnest of arrays).
func (b *backend) LoadBatch(ctx context.Context, from, to uint64, size int) error {
	keys := make([]string, 0, to-from)
	for k := from; k < to; k++ {
		keys = append(keys, driver.Key("", k))
	}
	val := string(driver.Value(size))
	var err error
	switch b.table {
	case "usertable":
		_, err = b.pool.Exec(ctx, `INSERT INTO `+b.prefix+`usertable (ycsb_key, field0)
SELECT k, $2 FROM unnest($1::text[]) AS k
ON CONFLICT (ycsb_key) DO UPDATE SET field0 = excluded.field0`, keys, val)
	case "cells":
		_, err = b.pool.Exec(ctx, `INSERT INTO `+b.prefix+`cells (row_key, column_name, ref_key, body)
SELECT k, 'BASE', 0, $2 FROM unnest($1::text[]) AS k
ON CONFLICT DO NOTHING`, keys, val)
	case "ids":
		err = b.loadPhotos(ctx, from, to)
	}
	return err
}

// loadPhotos gives users [from, to) one photo each, in their logical
// shards, one statement per shard, the ids made by each shard's next_id as
// the ops' are. A shard makes at most 1024 ids a millisecond; a statement
// faster than that fails the load with duplicate_ids named.
func (b *backend) loadPhotos(ctx context.Context, from, to uint64) error {
	users := make([][]int64, b.shards)
	for u := from; u < to; u++ {
		s := int(u % uint64(b.shards))
		users[s] = append(users[s], int64(u))
	}
	for s, us := range users {
		if len(us) == 0 {
			continue
		}
		_, err := b.pool.Exec(ctx, `INSERT INTO `+b.schema(s)+`.photos (user_id) SELECT u FROM unnest($1::bigint[]) AS u`, us)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return fmt.Errorf("duplicate_ids: shard %d made over 1024 ids in one millisecond (lower load_batch): %w", s, err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Cleanup drops the run's tables (schemas for table=ids).
func (b *backend) Cleanup(ctx context.Context) error { return b.exec(ctx, b.drop()) }

func (b *backend) Close() error { b.pool.Close(); return nil }

// Metrics: misses (reads, updates and deletes of absent rows),
// cell_conflicts (table=cells: a cell with that ref_key existed), and for
// table=ids: ids (issued), duplicate_ids (inserts refused because
// nextval % 1024 wrapped within one millisecond), misplaced_ids (ids whose
// shard bits are not their schema's: must be 0).
func (b *backend) Metrics() map[string]float64 {
	m := map[string]float64{"misses": float64(b.misses.Load())}
	switch b.table {
	case "cells":
		m["cell_conflicts"] = float64(b.conflicts.Load())
	case "ids":
		m["ids"] = float64(b.ids.Load())
		m["duplicate_ids"] = float64(b.duplicates.Load())
		m["misplaced_ids"] = float64(b.badIDs.Load())
	}
	return m
}
