package algorithms

import (
	"errors"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/harness"
)

func wallNil(Env) (harness.Target, error) { return nil, nil }

// TestResolveCheck: Info.Check sees the resolved parameters, defaults
// included, and its error makes Resolve fail, so a bad combination is found
// before anything runs.
func TestResolveCheck(t *testing.T) {
	info := Info{
		Name: "test/check",
		Params: []Param{
			{Name: "lo", Type: Int, Default: "1"},
			{Name: "hi", Type: Int, Default: "10"},
		},
		NewWall: wallNil,
		Check: func(p Params) error {
			if p.Int("lo") >= p.Int("hi") {
				return errors.New("test/check: lo must be below hi")
			}
			return nil
		},
	}
	if _, err := info.Resolve(map[string]string{"lo": "5"}); err != nil {
		t.Errorf("lo=5 hi=10 (default): %v", err)
	}
	for _, raw := range []map[string]string{{"lo": "10"}, {"hi": "0"}, {"lo": "3", "hi": "2"}} {
		if _, err := info.Resolve(raw); err == nil || !strings.Contains(err.Error(), "lo must be below hi") {
			t.Errorf("Resolve(%v) = %v, want the Check error", raw, err)
		}
	}
	// A parameter error is reported before Check runs.
	if _, err := info.Resolve(map[string]string{"lo": "x"}); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("lo=x: %v", err)
	}
}

func TestRegisterPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		info Info
	}{
		{"no slash", Info{Name: "noslash", NewWall: wallNil}},
		{"empty family", Info{Name: "/x", NewWall: wallNil}},
		{"two slashes", Info{Name: "a/b/c", NewWall: wallNil}},
		{"no constructor", Info{Name: "test/none"}},
		{"unsupported default clock", Info{Name: "test/clock", NewWall: wallNil, DefaultClock: Virtual}},
		{"bad default", Info{Name: "test/def", NewWall: wallNil, Params: []Param{{Name: "n", Type: Int, Default: "x"}}}},
		{"enum without choices", Info{Name: "test/enum", NewWall: wallNil, Params: []Param{{Name: "e", Type: Enum}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", tc.info.Name)
				}
			}()
			Register(tc.info)
		})
	}
}

func TestParamParse(t *testing.T) {
	n := Param{Name: "n", Type: Int, Default: "1"}.Range(1, 1e6)
	d := Param{Name: "d", Type: Duration, Default: "1ms"}.Range(0, 1e9)
	e := Param{Name: "e", Type: Enum, Default: "a", Choices: []string{"a", "b"}}
	for _, tc := range []struct {
		p    Param
		v    string
		want any // nil = error
	}{
		{n, "1e6", int64(1000000)},
		{n, "1_000", int64(1000)},
		{n, "0", nil},
		{n, "1000001", nil},
		{n, "1.5", nil},
		{d, "250ms", int64(250e6)},
		{d, "2s", nil},
		{d, "-1ms", nil},
		{e, "b", "b"},
		{e, "c", nil},
	} {
		got, err := tc.p.parse(tc.v)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s=%q accepted", tc.p.Name, tc.v)
			} else if !strings.Contains(err.Error(), "valid:") {
				t.Errorf("%s=%q: error %q does not list the valid values", tc.p.Name, tc.v, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%q: %v", tc.p.Name, tc.v, err)
			continue
		}
		if dd, ok := got.(interface{ Nanoseconds() int64 }); ok {
			got = dd.Nanoseconds()
		}
		if got != tc.want {
			t.Errorf("%s=%q = %v, want %v", tc.p.Name, tc.v, got, tc.want)
		}
	}
}

func TestLookupListsValidNames(t *testing.T) {
	Register(Info{Name: "test/lookup", NewWall: wallNil})
	if _, err := Lookup("test/nope"); err == nil || !strings.Contains(err.Error(), "test/lookup") {
		t.Errorf("Lookup of an unknown name: %v; want the valid names listed", err)
	}
	if _, err := (&Info{Name: "test/x", Params: []Param{{Name: "a", Type: String}}}).Resolve(map[string]string{"b": "1"}); err == nil || !strings.Contains(err.Error(), "valid: a") {
		t.Errorf("unknown parameter: %v", err)
	}
}
