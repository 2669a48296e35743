package workloads

import "sort"

// presets are YCSB's core workloads A–F (YCSB workloads/workload[a-f]):
// each is the defaults (1e6 keys, 100-byte values, closed loop, one client)
// plus these tokens. YCSB's "zipfian" request distribution is its scrambled
// Zipfian (ScrambledZipfianGenerator), so the presets use scrambled-zipf:
// Zipf θ = 0.99 rank frequencies with the hot keys spread over the keyspace
// — exactly Zipf's frequencies, where YCSB's fnv-modulo fold flattens them.
// Use keys=zipf:… for the hot keys adjacent (0, 1, 2, …).
var presets = map[string]string{
	"ycsb-a": scrambled + " mix=read:0.5,update:0.5",                              // update heavy
	"ycsb-b": scrambled + " mix=read:0.95,update:0.05",                            // read mostly
	"ycsb-c": scrambled + " mix=read:1",                                           // read only
	"ycsb-d": "keys=latest:theta=0.99,n=1e6 mix=read:0.95,insert:0.05",            // read latest
	"ycsb-e": scrambled + " mix=scan:0.95,insert:0.05 scan=uniform:min=1,max=100", // short ranges
	"ycsb-f": scrambled + " mix=read:0.5,rmw:0.5",                                 // read-modify-write
}

// scrambled is YCSB's request distribution "zipfian".
const scrambled = "keys=scrambled-zipf:theta=0.99,n=1e6"

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
