//go:build !linux

package bench

// physicalMemory is the machine's RAM in bytes: assumed 8 GiB where it is
// not read from the system.
func physicalMemory() uint64 { return 8 << 30 }
