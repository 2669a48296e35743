package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// instagramEpoch is the custom epoch of the Instagram post (ms since 1970).
const instagramEpoch = 1314220021721

// setupLock serialises the DDL of runs started at once (the shards of one
// run on several machines): CREATE … IF NOT EXISTS races otherwise.
const setupLock = 0x647362656e6368 // "dsbench"

// ddl is the schema of b's table.
func (b *backend) ddl() []string {
	p := b.prefix
	switch b.table {
	case "cells":
		return []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %scells (
	added_id    bigserial PRIMARY KEY,
	row_key     text        NOT NULL,
	column_name text        NOT NULL,
	ref_key     bigint      NOT NULL,
	body        text        NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	UNIQUE (row_key, column_name, ref_key))`, p)}
	case "ids":
		var out []string
		for s := range b.shards {
			schema := b.schema(s)
			out = append(out,
				fmt.Sprintf(`CREATE SCHEMA IF NOT EXISTS %s`, schema),
				fmt.Sprintf(`CREATE SEQUENCE IF NOT EXISTS %s.table_id_seq`, schema),
				// The post's function, with this schema's shard id.
				fmt.Sprintf(`CREATE OR REPLACE FUNCTION %[1]s.next_id(OUT result bigint) AS $$
DECLARE
	our_epoch bigint := %[2]d;
	seq_id bigint;
	now_millis bigint;
	shard_id int := %[3]d;
BEGIN
	SELECT nextval('%[1]s.table_id_seq') %% 1024 INTO seq_id;
	SELECT FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) INTO now_millis;
	result := (now_millis - our_epoch) << 23;
	result := result | (shard_id << 10);
	result := result | (seq_id);
END;
$$ LANGUAGE PLPGSQL`, schema, instagramEpoch, s),
				fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %[1]s.photos (
	id      bigint NOT NULL DEFAULT %[1]s.next_id() PRIMARY KEY,
	user_id bigint NOT NULL)`, schema))
		}
		return out
	}
	return []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %susertable (
	ycsb_key text PRIMARY KEY,
	field0   text NOT NULL)`, p)}
}

// drop is the DDL that removes what ddl made.
func (b *backend) drop() []string {
	switch b.table {
	case "cells":
		return []string{fmt.Sprintf(`DROP TABLE IF EXISTS %scells`, b.prefix)}
	case "ids":
		var out []string
		for s := range b.shards {
			out = append(out, fmt.Sprintf(`DROP SCHEMA IF EXISTS %s CASCADE`, b.schema(s)))
		}
		return out
	}
	return []string{fmt.Sprintf(`DROP TABLE IF EXISTS %susertable`, b.prefix)}
}

func (b *backend) schema(shard int) string { return fmt.Sprintf("%sshard%d", b.prefix, shard) }

// exec runs statements in one transaction under the setup lock.
func (b *backend) exec(ctx context.Context, stmts []string) error {
	return pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(setupLock)); err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", strings.SplitN(s, "\n", 2)[0], err)
			}
		}
		return nil
	})
}

func (b *backend) setup(ctx context.Context) error { return b.exec(ctx, b.ddl()) }
