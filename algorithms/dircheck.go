package algorithms

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CheckDir reports why dir cannot hold a target's files: it exists and is
// not a directory or not writable, or it does not exist and its nearest
// existing ancestor is not a writable directory (the target would fail to
// create it). Writability is tried, not guessed from mode bits: a file is
// created in the directory and removed (/proc and read-only mounts refuse
// it even to root). It creates nothing that stays.
func CheckDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	p := abs
	for {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				if p == abs {
					return errors.New("exists and is not a directory")
				}
				return fmt.Errorf("cannot be created: %s is not a directory", p)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return fmt.Errorf("cannot be created: no ancestor of it exists")
		}
		p = parent
	}
	f, err := os.CreateTemp(p, ".dsbench-dircheck-*")
	if err != nil {
		if p == abs {
			return fmt.Errorf("not writable: %v", err)
		}
		return fmt.Errorf("cannot be created in %s: %v", p, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
