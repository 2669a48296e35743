//go:build !unix

package lsm

import (
	"io"
	"os"
)

// mapFile reads the whole table into memory where mmap is unavailable.
func mapFile(f *os.File, size int64) ([]byte, error) {
	b := make([]byte, size)
	_, err := io.ReadFull(f, b)
	return b, err
}

func unmapFile([]byte) error { return nil }
