//go:build unix

package lsm

import (
	"os"
	"syscall"
)

// mapFile maps a table read-only: reads are then slices of the page cache,
// with no copy and no allocation.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}

func unmapFile(b []byte) error {
	if b == nil {
		return nil
	}
	return syscall.Munmap(b)
}
