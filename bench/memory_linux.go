//go:build linux

package bench

import "golang.org/x/sys/unix"

// physicalMemory is the machine's RAM in bytes (8 GiB if it cannot be read).
func physicalMemory() uint64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return 8 << 30
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}
