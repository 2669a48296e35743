package bench

import (
	"errors"
	"testing"

	"github.com/dsbench/dsbench/harness"
)

// The list of failed runs is a harness.ErrTargetBug exactly when one of
// them failed for a bug in its target, so the CLI exits 3 for it.
func TestRunsFailedKeepsTargetBug(t *testing.T) {
	if !errors.Is(runsFailed{"1 of 2 runs failed", true}, harness.ErrTargetBug) {
		t.Error("a target bug among the failures is lost")
	}
	if errors.Is(runsFailed{"1 of 2 runs failed", false}, harness.ErrTargetBug) {
		t.Error("an ordinary failure counts as a target bug")
	}
}
