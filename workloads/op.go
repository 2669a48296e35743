package workloads

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Kind is what an operation asks of a target. The storage kinds follow YCSB's
// core workload; the family kinds are declared here so that a mix can name them
// and the harness can keep one histogram per kind in a fixed array (no map
// lookup on the per-op path).
type Kind uint8

// The op kinds. NumKinds bounds every per-kind array.
const (
	Read Kind = iota
	Update
	Insert
	Scan
	RMW
	Delete
	Acquire
	Release
	Produce
	Consume
	Route
	NumKinds
)

var kindNames = [NumKinds]string{"read", "update", "insert", "scan", "rmw", "delete", "acquire", "release", "produce", "consume", "route"}

// String returns the kind's name as the spec grammar and the results spell it.
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind maps a name ("read", "rmw", "acquire", …) to its Kind.
// "read-modify-write" is accepted as an alias of "rmw".
func ParseKind(s string) (Kind, error) {
	if s == "read-modify-write" {
		return RMW, nil
	}
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown op kind %q (valid: %s)", s, strings.Join(kindNames[:], ", "))
}

// Op is one request of a workload. It is a plain value: generators fill a
// caller-owned Op so that producing one allocates nothing.
type Op struct {
	Seq    uint64        // position in the stream, from 0
	At     time.Duration // intended start from the run's start (open loop); 0 in a closed loop
	Kind   Kind          // Read, Update, Insert, Scan, RMW, Delete, or a family kind
	Key    uint64        // key id in [0, keyspace)
	Client uint32        // tenant / source / flow: the unit of per-client fairness
	Size   uint32        // value bytes, or scan length for Scan
}

// KeyDist draws key ids. It is pure apart from the caller's random source, so
// the same source state always gives the same key.
type KeyDist interface {
	Next(r *rand.Rand) uint64
}

// Arrival draws the gap from one intended start to the next.
type Arrival interface {
	Next(r *rand.Rand) time.Duration
}

// Source yields an op stream. Next fills op and reports false when the stream
// is exhausted (a finite trace); generators never end.
type Source interface {
	Next(op *Op) bool
}
