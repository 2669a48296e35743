package bench

import "runtime/debug"

// Version is the dsbench release recorded in every result; set it with
// -ldflags "-X github.com/dsbench/dsbench/bench.Version=…".
var Version = "0.1.0-dev"

// Commit returns the VCS revision the binary was built from, if recorded.
func Commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}
