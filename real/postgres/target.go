package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/real/driver"
)

// Name is the target's registered name.
const Name = "real/postgres"

// DefaultDSN is the database scripts/servers/postgres.sh creates.
const DefaultDSN = "postgres://dsbench@127.0.0.1:5432/dsbench?sslmode=disable"

// Params are real/postgres's parameters.
var Params = append(driver.Params(algorithms.Param{Name: "dsn", Type: algorithms.String, Default: DefaultDSN,
	Doc: "PostgreSQL connection string (URL or key=value)"}, "dsbench_"),
	algorithms.Param{Name: "table", Type: algorithms.Enum, Default: "usertable", Choices: []string{"usertable", "cells", "ids"},
		Doc: "usertable: YCSB's; cells: Schemaless's append-only cells; ids: Instagram's PL/pgSQL id generation"},
	algorithms.Param{Name: "logical_shards", Type: algorithms.Int, Default: "16",
		Doc: "table=ids: logical shards, one schema each (13 bits: 1 … 8192); a user's shard is user_id mod logical_shards"}.Range(1, 8192),
)

func init() {
	algorithms.Register(algorithms.Info{
		Name:        Name,
		Description: "PostgreSQL (pgx): YCSB usertable, Schemaless append-only cells, Instagram PL/pgSQL ids",
		Params:      Params,
		Workload:    "ycsb-a keys=zipf:theta=0.99,n=100000",
		Loads:       true,
		External:    true,
		Check: func(p algorithms.Params) error {
			return driver.CheckIdentifier(Name, p.String("key_prefix"))
		},
		Preflight: preflight,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			cfg := driver.Read(env)
			b, err := open(env.Params, cfg)
			if err != nil {
				return nil, err
			}
			return driver.NewTarget(Name, cfg, b), nil
		},
	})
}

// where names the server of a dsn for errors (never its password).
func where(dsn string) string {
	c, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "dsn " + strings.SplitN(dsn, "@", 2)[len(strings.SplitN(dsn, "@", 2))-1]
	}
	return fmt.Sprintf("%s:%d (database %s, user %s)", c.Host, c.Port, c.Database, c.User)
}

func preflight(p algorithms.Params) error {
	dsn := p.String("dsn")
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("dsn: %v", err)
	}
	cfg.ConnectTimeout = driver.ReachTimeout
	ctx, cancel := context.WithTimeout(context.Background(), driver.ReachTimeout)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return driver.Unreachable("PostgreSQL", "postgres", where(dsn), err)
	}
	return c.Close(ctx)
}

func open(p algorithms.Params, cfg driver.Config) (*backend, error) {
	dsn := p.String("dsn")
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("dsn: %v", err)
	}
	pc.MaxConns = int32(cfg.Pool)
	pc.ConnConfig.ConnectTimeout = driver.ReachTimeout
	ctx, cancel := context.WithTimeout(context.Background(), driver.ReachTimeout*4)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, driver.Unreachable("PostgreSQL", "postgres", where(dsn), err)
	}
	b := &backend{pool: pool, prefix: cfg.KeyPrefix, table: p.String("table"), shards: p.Int("logical_shards")}
	b.refs.Store(time.Now().UnixNano())
	b.statements()
	if err := b.setup(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("creating the %s tables: %w", b.table, err)
	}
	return b, nil
}
