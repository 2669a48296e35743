package algotest

import (
	"strings"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
)

// ResolveCases checks how the named target's parameter check answers each
// case: a key is one or more name=value settings separated by commas (a
// value may not hold a comma), its value the text the error must contain,
// or "" for settings that must be accepted.
func ResolveCases(t testing.TB, name string, cases map[string]string) {
	t.Helper()
	info, err := algorithms.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range cases {
		m := map[string]string{}
		for _, kv := range strings.Split(raw, ",") {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		_, err := info.Resolve(m)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s %s: %v", name, raw, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s %s: error %v, want one naming %q", name, raw, err, want)
		}
	}
}
