package reference

import (
	"os"
	"testing"

	"github.com/dsbench/dsbench/algorithms/storage/storagetest"
)

// TestYCSBOpsMatchModel drives every op kind through the adapter and checks
// each engine's contents, point reads and scans against a Go map.
func TestYCSBOpsMatchModel(t *testing.T) {
	t.Run("pebble", func(t *testing.T) {
		kv, err := OpenPebble(PebbleOptions{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		storagetest.YCSBOpsMatchModel(t, kv)
	})
	t.Run("bbolt", func(t *testing.T) {
		kv, err := OpenBolt(BoltOptions{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		storagetest.YCSBOpsMatchModel(t, kv)
	})
}

var targets = []string{"storage/pebble", "storage/bbolt"}

func TestRegisteredTargetsRunAndClean(t *testing.T) {
	for _, name := range targets {
		t.Run(name, func(t *testing.T) { storagetest.RegisteredTargetRunsAndCleans(t, name) })
	}
}

// Every target that declares Loads really has a load phase, and the CLI
// takes --load only for those.
func TestLoadsMatchesLoader(t *testing.T) {
	for _, name := range targets {
		t.Run(name, func(t *testing.T) { storagetest.LoadsMatchesLoader(t, name) })
	}
}

func TestTempDirRemovedOnClose(t *testing.T) {
	p, err := OpenPebble(PebbleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := p.dir
	p.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temporary dir %s survives Close: %v", dir, err)
	}
}
