package workloads

import "sort"

// presets are YCSB's core workloads A–F (YCSB workloads/workload[a-f]):
// each is the defaults (Zipf θ = 0.99 over 1e6 keys, 100-byte values,
// closed loop, one client) plus these tokens. YCSB's "zipfian" request
// distribution is its scrambled Zipfian; dsbench's presets use plain zipf
// (hot keys adjacent) — add keys=scrambled-zipf:… to spread them.
var presets = map[string]string{
	"ycsb-a": "mix=read:0.5,update:0.5",                                // update heavy
	"ycsb-b": "mix=read:0.95,update:0.05",                              // read mostly
	"ycsb-c": "mix=read:1",                                             // read only
	"ycsb-d": "keys=latest:theta=0.99,n=1e6 mix=read:0.95,insert:0.05", // read latest
	"ycsb-e": "mix=scan:0.95,insert:0.05 scan=uniform:min=1,max=100",   // short ranges
	"ycsb-f": "mix=read:0.5,rmw:0.5",                                   // read-modify-write
}

// Presets lists the preset names, sorted.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PresetSpec is the canonical spec of a preset, or "" if name is unknown.
func PresetSpec(name string) string {
	if _, ok := presets[name]; !ok {
		return ""
	}
	s, err := ParseSpec(name)
	if err != nil {
		panic(err)
	}
	return s.String()
}
