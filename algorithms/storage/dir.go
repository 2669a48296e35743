package storage

import (
	"fmt"
	"os"
)

// OpenDir returns dir, creating it if needed, or a fresh temporary
// directory when dir is empty; owned reports that Close must remove it.
// engine names the engine in the directory name and in errors
// ("storage/<engine>: ...").
func OpenDir(dir, engine string) (path string, owned bool, err error) {
	if dir == "" {
		path, err = os.MkdirTemp("", "dsbench-"+engine+"-*")
		if err != nil {
			return "", false, fmt.Errorf("storage/%s: temporary directory: %w", engine, err)
		}
		return path, true, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("storage/%s: dir=%q: %w", engine, dir, err)
	}
	return dir, false, nil
}

// DirSize sums the sizes of the regular files under dir.
func DirSize(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
	}
	return n, nil
}
