package harness

import (
	"time"
	_ "unsafe" // for go:linkname
)

// nanotime is the runtime's monotonic clock: one vDSO read, without the wall
// clock that time.Now also fetches. The harness reads it once per op.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// spinWindow is how close to an intended start the open loop stops sleeping
// and starts yielding in a loop. Go timers on Linux wake up to ~1 ms late
// for short sleeps (measured: a 100 µs sleep takes ~1.1 ms), so the last
// millisecond is waited by spinning with runtime.Gosched for precision.
const spinWindow = time.Millisecond

// sleepThreshold: waits shorter than this are spun entirely.
const sleepThreshold = 2 * time.Millisecond
