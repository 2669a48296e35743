package workloads

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

// traceKeys replays the keys of a file in order, wrapping at its end. Part
// k of n takes keys k, k+n, k+2n, … so the parts together replay the file.
type traceKeys struct {
	file string
	keys []uint64
	n    uint64 // keyspace: the largest key + 1
}

func parseTraceKeys(p *params) keyDef {
	t := traceKeys{}
	f, _ := p.raw("file", true)
	if p.err != nil {
		return t
	}
	keys, err := readKeyFile(f)
	if err != nil {
		p.fail("%v", err)
		return t
	}
	t.file, t.keys = f, keys
	for _, k := range keys {
		t.n = max(t.n, k+1)
	}
	return t
}

// readKeyFile reads one key per line (blank lines and # comments skipped),
// or the key column of a CSV or binary trace.
func readKeyFile(path string) ([]uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte(binaryMagic)) || bytes.HasPrefix(data, []byte(binaryMagicV1)) || bytes.HasPrefix(data, []byte("seq,")) {
		ops, err := ReadTrace(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		keys := make([]uint64, len(ops))
		for i, op := range ops {
			keys[i] = op.Key
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s: no keys", path)
		}
		return keys, nil
	}
	var keys []uint64
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		k, err := parseCount(s)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %q is not a key id (a non-negative integer)", path, line, s)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no keys", path)
	}
	return keys, sc.Err()
}

func (t traceKeys) String() string { return "trace:file=" + t.file }
func (t traceKeys) size() uint64   { return t.n }
func (t traceKeys) build(p Part) keySampler {
	return &traceSampler{keys: t.keys, next: p.Index % len(t.keys), step: p.Of}
}

type traceSampler struct {
	keys       []uint64
	next, step int
}

func (t *traceSampler) Next(*rand.Rand) uint64 {
	k := t.keys[t.next]
	t.next = (t.next + t.step) % len(t.keys)
	return k
}
func (t *traceSampler) grow(uint64) {}
