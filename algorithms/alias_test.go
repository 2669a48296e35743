package algorithms

import (
	"strings"
	"testing"
)

// TestTargetAlias: an alias resolves to its target's Info under its own
// name with its defaults, outside Names and the tour; bad aliases panic.
func TestTargetAlias(t *testing.T) {
	Register(Info{Name: "aliastest/real", NewWall: wallNil, Tour: true,
		Params: []Param{Param{Name: "k", Type: Int, Default: "2"}.Range(0, 9), {Name: "s", Type: String, Default: "x"}}})
	RegisterAlias("aliastest/other", "aliastest/real", map[string]string{"k": "0"}, "k is 0")
	info, err := Lookup("aliastest/other")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "aliastest/other" || info.AliasOf != "aliastest/real" || info.Tour || !strings.Contains(info.Description, "alias of aliastest/real with k=0") {
		t.Errorf("alias info %+v", info)
	}
	p, err := info.Resolve(nil)
	if err != nil || p.Int("k") != 0 {
		t.Errorf("alias default k = %v (%v), want 0", p.Int("k"), err)
	}
	if p, _ := info.Resolve(map[string]string{"k": "5"}); p.Int("k") != 5 {
		t.Errorf("k=5 through the alias gave %v", p.Int("k"))
	}
	// The target itself is unchanged.
	real, _ := Lookup("aliastest/real")
	if p, _ := real.Resolve(nil); p.Int("k") != 2 || real.AliasOf != "" {
		t.Errorf("the target's default changed to %v", p.Int("k"))
	}
	for _, n := range Names() {
		if n == "aliastest/other" {
			t.Error("Names lists the alias")
		}
	}
	found := false
	for _, a := range Aliases() {
		found = found || a.Name == "aliastest/other" && a.Settings() == "k=0"
	}
	if !found {
		t.Errorf("Aliases() = %v", Aliases())
	}
	if _, err := Lookup("aliastest/othr"); err == nil || !strings.Contains(err.Error(), "aliastest/other") {
		t.Errorf("unknown name: %v, want the aliases among the valid names", err)
	}
	for name, f := range map[string]func(){
		"unknown target": func() { RegisterAlias("aliastest/a1", "aliastest/nope", nil, "") },
		"taken name":     func() { RegisterAlias("aliastest/real", "aliastest/real", nil, "") },
		"twice":          func() { RegisterAlias("aliastest/other", "aliastest/real", nil, "") },
		"unknown param":  func() { RegisterAlias("aliastest/a2", "aliastest/real", map[string]string{"q": "1"}, "") },
		"bad value":      func() { RegisterAlias("aliastest/a3", "aliastest/real", map[string]string{"k": "99"}, "") },
		"target on it":   func() { Register(Info{Name: "aliastest/other", NewWall: wallNil}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
