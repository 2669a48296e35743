package schemaless

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// Column is the column the YCSB adapter's rows use.
const Column = "base"

// body flags: the first byte of every stored cell value.
const (
	flagData      = 0
	flagTombstone = 1
)

// ErrShardDown is returned by reads that need an unavailable shard.
var ErrShardDown = errors.New("schemaless: shard down")

// cellKey appends row ‖ col ‖ 0x00 ‖ ^ref to dst.
func cellKey(dst, row []byte, col string, ref uint64) []byte {
	dst = append(dst, row...)
	dst = append(dst, col...)
	dst = append(dst, 0)
	return binary.BigEndian.AppendUint64(dst, ^ref)
}

// cellPrefixLen is the length of row ‖ col ‖ 0x00.
func cellPrefixLen(col string) int { return storage.KeyLen + len(col) + 1 }

// refOf returns the ref key of a cell key.
func refOf(key []byte) uint64 { return ^binary.BigEndian.Uint64(key[len(key)-8:]) }

func checkRow(row []byte) error {
	if len(row) != storage.KeyLen {
		return fmt.Errorf("schemaless: row key of %d bytes (valid: %d)", len(row), storage.KeyLen)
	}
	return nil
}
