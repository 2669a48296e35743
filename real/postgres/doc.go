// Package postgres is the real/postgres target: the workload's ops against
// PostgreSQL through github.com/jackc/pgx/v5 (a pgxpool of pool
// connections), on one of three tables (all named from key_prefix):
//
//   - table=usertable: YCSB's usertable (Cooper et al., SoCC'10; the JDBC
//     binding's YCSB_KEY primary key and one FIELD0 column of the op's value
//     size), so YCSB A–F run against PostgreSQL: read SELECT, update UPDATE,
//     insert an upsert, delete DELETE, scan an ordered range from the key
//     LIMIT the scan length, read-modify-write SELECT … FOR UPDATE then
//     UPDATE in one transaction.
//   - table=cells: Schemaless's append-only cell table (Uber Engineering,
//     "Designing Schemaless, Uber Engineering's Scalable Datastore Using
//     MySQL", 2016): cells (row_key, column_name, ref_key, body) are never
//     updated; a write inserts a cell with the next ref_key of this
//     writer (increasing from the start time), a read takes the row's cell of the highest ref_key, a scan
//     reads cells in added_id order after the op's key (as Schemaless
//     triggers tail the table); delete does not exist.
//   - table=ids: Instagram's ID generation in PL/pgSQL (Instagram
//     Engineering, "Sharding & IDs at Instagram", 2012): each logical shard
//     is a schema with its own sequence and next_id() function, 41 bits of
//     milliseconds since a custom epoch | 13 bits of logical shard | 10 bits
//     of nextval % 1024, used as the default of its photos table's id; every
//     op inserts a photo of user op.Key into the user's logical shard
//     (op.Key mod logical_shards, the op's shard) and returns its id, as the
//     casestudy/instagram-ids model issues one ID per op. The load phase
//     gives users [0, N) a photo each, their ids made the same way.
//
// scripts/servers/postgres.sh start runs a server with the default dsn's
// role and database.
package postgres
