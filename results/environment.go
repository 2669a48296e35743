package results

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// NewEnvironment describes this process's machine. The CPU model comes from
// /proc/cpuinfo where there is one ("" elsewhere); start is kept in UTC
// without its monotonic reading, so documents compare and round-trip exactly.
func NewEnvironment(version, commit string, start time.Time) Environment {
	return Environment{
		Version:   version,
		Commit:    commit,
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		CPU:       cpuModel(),
		Cores:     runtime.NumCPU(),
		Start:     start.UTC().Round(0),
		Host:      hostname(),
	}
}

// hostname is the machine's name, "" when the system will not say.
func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	return parseCPUInfo(f)
}

// cpuInfoKeys are the /proc/cpuinfo fields that name the processor, best
// first: x86 says "model name"; arm64 kernels give "Hardware" or nothing,
// RISC-V "uarch", MIPS "cpu model", POWER "cpu".
var cpuInfoKeys = []string{"model name", "Hardware", "cpu model", "uarch", "Model", "cpu"}

func parseCPUInfo(r io.Reader) string {
	found := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.Join(strings.Fields(v), " ")
		if _, seen := found[k]; !seen && v != "" {
			found[k] = v
		}
	}
	for _, k := range cpuInfoKeys {
		if v := found[k]; v != "" {
			return v
		}
	}
	return ""
}
