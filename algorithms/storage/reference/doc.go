// Package reference holds the storage family's production reference
// engines, Pebble and bbolt, driven through the storage adapter
// (storage.NewTarget), and registers them as storage/pebble (CockroachDB's
// Pebble v2) and storage/bbolt (etcd's bbolt). Their metrics follow the
// storage package doc's definitions.
//
// They live apart from package storage so that the engines built on it
// (storage/lsm, bigtable, schemaless) neither wait for Pebble to compile nor
// link it into their tests. The package's benchmarks compare fill-random and
// read-random across storage/lsm, Pebble, bbolt and storage/map in one run.
package reference
