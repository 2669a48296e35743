package results

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseCPUInfo(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"x86", "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n", "Intel(R) Xeon(R) CPU @ 2.20GHz"},
		{"arm64 with Hardware", "processor\t: 0\nBogoMIPS\t: 48.00\nHardware\t: BCM2835\n", "BCM2835"},
		{"riscv", "processor\t: 0\nisa\t\t: rv64imafdc\nuarch\t\t: sifive,u74-mc\nmodel name\t: \n", "sifive,u74-mc"},
		{"power", "processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\n", "POWER9 (raw), altivec supported"},
		{"empty", "", ""},
	} {
		if got := parseCPUInfo(strings.NewReader(c.in)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNewEnvironment(t *testing.T) {
	start := time.Date(2026, 3, 4, 5, 6, 7, 8, time.FixedZone("X", 3600))
	e := NewEnvironment("v1.2.3", "deadbeef", start)
	if e.Version != "v1.2.3" || e.Commit != "deadbeef" || e.GoVersion != runtime.Version() ||
		e.OS != runtime.GOOS || e.Arch != runtime.GOARCH || e.Cores != runtime.NumCPU() {
		t.Errorf("environment %+v", e)
	}
	if !e.Start.Equal(start) || e.Start.Location() != time.UTC {
		t.Errorf("start %v, want %v in UTC", e.Start, start)
	}
	if now := NewEnvironment("", "", time.Now()); now.Start != now.Start.Round(0) {
		t.Error("start keeps its monotonic reading")
	}
}
