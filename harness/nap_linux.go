package harness

import (
	"time"

	"golang.org/x/sys/unix"
)

// nap sleeps for about d in nanosleep, with this thread's timer slack set to
// 1 ns first (the default 50 µs slack would make every nap that much late;
// the setting is per thread and goroutines move between threads, hence once
// per nap, a sub-microsecond call beside a sleep of tens of microseconds).
// The goroutine holds its thread meanwhile; the runtime hands the thread's P
// to other goroutines if the nap outlasts a scheduler tick.
func nap(d time.Duration) {
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	ts := unix.NsecToTimespec(int64(d))
	_ = unix.Nanosleep(&ts, nil)
}
