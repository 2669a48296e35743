package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver/servertest"
	realpg "github.com/dsbench/dsbench/real/postgres"
)

// query returns one integer from the database.
func query(t *testing.T, sql string) int64 {
	t.Helper()
	c, err := pgx.Connect(context.Background(), realpg.DefaultDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int64
	if err := c.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func need(t *testing.T) { servertest.NeedServer(t, "PostgreSQL", "postgres", "127.0.0.1:5432") }

func prefix(name string) string { return servertest.Prefix("_", name) }

func TestUnreachableIsBadInput(t *testing.T) {
	servertest.Unreachable(t, realpg.Name, []string{"dsn=postgres://dsbench@127.0.0.1:1/dsbench"}, "127.0.0.1:1")
}

// YCSB's usertable: the load writes every row; A–F run with no error and
// no miss; cleanup drops the table.
func TestUsertable(t *testing.T) {
	need(t)
	pre := prefix("ut")
	p := []string{"key_prefix=" + pre, "cleanup=false"}
	servertest.Run(t, realpg.Name, "ycsb-c", bench.Options{Load: 3000, Ops: 10, Params: p})
	if n := query(t, "SELECT count(*) FROM "+pre+"usertable"); n != 3000 {
		t.Errorf("%d rows after loading 3000", n)
	}
	for _, w := range []string{"ycsb-a", "ycsb-b", "ycsb-c", "ycsb-d", "ycsb-e", "ycsb-f"} {
		r := servertest.Run(t, realpg.Name, w+" keys=uniform:n=3000", bench.Options{Ops: 400, Workers: 4, Params: p})
		// ycsb-d reads the latest keys, some inserted by another worker
		// a moment later: a few misses are the workload's.
		if r.Errors != 0 || (r.Metrics["misses"] != 0 && w != "ycsb-d") {
			t.Errorf("%s: %d errors (%s), %v misses", w, r.Errors, r.FirstError, r.Metrics["misses"])
		}
	}
	servertest.Run(t, realpg.Name, "ycsb-c", bench.Options{Ops: 1, Params: []string{"key_prefix=" + pre}})
	if n := query(t, "SELECT count(*) FROM pg_tables WHERE tablename = '"+pre+"usertable'"); n != 0 {
		t.Error("cleanup left the table")
	}
}

// Schemaless cells are appended, never updated: every write is a new row,
// a read finds the newest; delete is refused.
func TestCells(t *testing.T) {
	need(t)
	pre := prefix("cells")
	p := []string{"key_prefix=" + pre, "cleanup=false", "table=cells"}
	r := servertest.Run(t, realpg.Name, "mix=read:0.5,update:0.5 keys=uniform:n=100", bench.Options{Load: 100, Ops: 1000, Workers: 4, Params: p})
	writes := r.Kinds["update"].Ops
	if r.Errors != 0 || r.Metrics["misses"] != 0 || r.Metrics["cell_conflicts"] != 0 {
		t.Errorf("%d errors (%s), metrics %v", r.Errors, r.FirstError, r.Metrics)
	}
	if n := query(t, "SELECT count(*) FROM "+pre+"cells"); n != int64(100+writes) {
		t.Errorf("%d cells, want the 100 loaded + %d appended", n, writes)
	}
	r = servertest.Run(t, realpg.Name, "mix=delete:1", bench.Options{Ops: 5, Params: []string{"key_prefix=" + pre, "table=cells"}})
	if r.Errors != 5 {
		t.Errorf("deletes on an append-only table: %d errors of 5", r.Errors)
	}
}

// Instagram ids: the load phase gives users 0…499 a photo each, then one id
// per op, each carrying its schema's shard bits, never a duplicate, spread
// over the logical shards.
func TestIDs(t *testing.T) {
	need(t)
	pre := prefix("ids")
	p := []string{"key_prefix=" + pre, "cleanup=false", "table=ids", "logical_shards=4"}
	r := servertest.Run(t, realpg.Name, "mix=insert:1 keys=uniform:n=1000", bench.Options{Ops: 2000, Workers: 4, Load: 500, Params: p})
	if r.Errors != 0 || r.Metrics["ids"] != 2000 || r.Metrics["misplaced_ids"] != 0 || r.Fairness.Shards.N != 4 {
		t.Errorf("%d errors (%s), shards %d, metrics %v", r.Errors, r.FirstError, r.Fairness.Shards.N, r.Metrics)
	}
	var total, loaded int64
	for s := range 4 {
		sch := pre + "shard" + string(rune('0'+s))
		total += query(t, "SELECT count(*) FROM "+sch+".photos")
		loaded += query(t, "SELECT count(DISTINCT user_id) FROM "+sch+".photos WHERE user_id < 500 AND user_id % 4 = "+string(rune('0'+s)))
		if bad := query(t, "SELECT count(*) FROM "+sch+".photos WHERE (id >> 10) & 8191 <> "+string(rune('0'+s))); bad != 0 {
			t.Errorf("%s: %d ids without its shard bits", sch, bad)
		}
	}
	if total != 2500 || loaded != 500 {
		t.Errorf("%d photos, want 500 loaded + 2000; %d of the 500 loaded users have theirs in their shard", total, loaded)
	}
	servertest.Run(t, realpg.Name, "mix=insert:1", bench.Options{Ops: 1, Params: []string{"key_prefix=" + pre, "table=ids", "logical_shards=4"}})
	if n := query(t, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '"+pre+"%'"); n != 0 {
		t.Errorf("cleanup left %d schemas", n)
	}
}
