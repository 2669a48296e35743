package storage

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// Every target that declares Loads really has a load phase, and the CLI
// takes --load only for those.
func TestLoadsMatchesLoader(t *testing.T) {
	for _, name := range []string{"storage/map", "storage/pebble", "storage/bbolt"} {
		info, err := algorithms.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := info.Resolve(nil)
		if err != nil {
			t.Fatal(err)
		}
		tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Wall, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, isLoader := tg.(harness.Loader)
		if c, ok := tg.(interface{ Close() error }); ok {
			c.Close()
		}
		if isLoader != info.Loads {
			t.Errorf("%s: Loads=%v but implements harness.Loader=%v", name, info.Loads, isLoader)
		}
	}
}
