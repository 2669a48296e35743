package harness

// CONTRACT FILE — the harness helper replaces these bodies (issue 3).

import (
	"context"
	"errors"
)

// RunWall runs target on the wall clock with cfg's workers and returns what
// was measured. A cancelled ctx ends the run early with Interrupted set and
// whatever was measured so far.
func RunWall(ctx context.Context, target Target, cfg Config) (*Report, error) {
	return nil, errors.New("harness: not implemented yet")
}

// RunSim runs target in virtual time. It is deterministic: the same cfg and
// seed give the same Report.
func RunSim(ctx context.Context, target SimTarget, cfg Config) (*Report, error) {
	return nil, errors.New("harness: not implemented yet")
}
