package algorithms

import "testing"

func TestSuggest(t *testing.T) {
	names := []string{"hashing/ring", "hashing/jump", "loadbalance/p2c", "loadbalance/round-robin", "storage/lsm"}
	for _, c := range []struct{ in, want string }{
		{"hashing/rnig", "hashing/ring"},       // transposition
		{"hashing/rin", "hashing/ring"},        // deletion
		{"Hashing/Ring", "hashing/ring"},       // case
		{"ring", "hashing/ring"},               // the name without its family
		{"loadbalance/p3c", "loadbalance/p2c"}, // substitution
		{"loadbalance/round-robbin", "loadbalance/round-robin"},
		{"storage/pebble", ""}, // nothing close: no guess
		{"x", ""},
	} {
		if got := Suggest(c.in, names); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Suggest("vnode", []string{"nodes", "hash", "vnodes", "weights"}); got != "vnodes" {
		t.Errorf("Suggest(vnode) = %q", got)
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
