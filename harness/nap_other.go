//go:build !linux

package harness

import "time"

// nap sleeps for about d; outside Linux the Go timer is the precise sleep
// there is (it can wake a millisecond late).
func nap(d time.Duration) { time.Sleep(d) }
