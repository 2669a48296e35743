package storage_test

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/algorithms/storage/storagetest"
)

// The on-disk engines run the same checks in package storage/reference.

func TestYCSBOpsMatchModel(t *testing.T) {
	storagetest.YCSBOpsMatchModel(t, storage.NewMap())
}

func TestRegisteredTargetsRunAndClean(t *testing.T) {
	storagetest.RegisteredTargetRunsAndCleans(t, "storage/map")
}

// Every target that declares Loads really has a load phase, and the CLI
// takes --load only for those.
func TestLoadsMatchesLoader(t *testing.T) {
	storagetest.LoadsMatchesLoader(t, "storage/map")
}
