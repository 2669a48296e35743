package driver

import (
	"sync"
	"sync/atomic"
	"time"
)

// Locks keeps the locks a run holds for the acquire/release recipes, as the
// in-process coordination models do: an acquire op by a client on a key
// holds the lock until a release op of the same client and key, or for
// Hold at most (then it is released in the background); a release with
// nothing held is answered at once; an acquire of a lock the same client
// already holds is granted at once.
type Locks struct {
	Hold time.Duration

	mu   sync.Mutex
	held map[lockID]*heldLock

	acquired, reacquired, released, autoReleased, idle, releaseErrors atomic.Uint64
}

type lockID struct {
	client uint32
	key    uint64
}

type heldLock struct {
	unlock func() error
	timer  *time.Timer
}

// NewLocks returns an empty table whose locks are held for hold at most.
func NewLocks(hold time.Duration) *Locks {
	return &Locks{Hold: hold, held: map[lockID]*heldLock{}}
}

// Holds reports whether client holds key (and counts a re-acquire).
func (l *Locks) Holds(client uint32, key uint64) bool {
	l.mu.Lock()
	_, ok := l.held[lockID{client, key}]
	l.mu.Unlock()
	if ok {
		l.reacquired.Add(1)
	}
	return ok
}

// Acquired records a granted lock and its unlock.
func (l *Locks) Acquired(client uint32, key uint64, unlock func() error) {
	id := lockID{client, key}
	h := &heldLock{unlock: unlock}
	l.acquired.Add(1)
	l.mu.Lock()
	if old, ok := l.held[id]; ok { // granted twice (a racing acquire): keep one
		l.mu.Unlock()
		l.release(old)
		l.mu.Lock()
	}
	l.held[id] = h
	h.timer = time.AfterFunc(l.Hold, func() {
		if l.take(id, h) {
			l.autoReleased.Add(1)
			l.release(h)
		}
	})
	l.mu.Unlock()
}

// take removes id's lock if it is still h.
func (l *Locks) take(id lockID, h *heldLock) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[id] != h {
		return false
	}
	delete(l.held, id)
	return true
}

// Release ends client's hold on key and returns the unlock's error; false
// when nothing was held (an idle release).
func (l *Locks) Release(client uint32, key uint64) (bool, error) {
	id := lockID{client, key}
	l.mu.Lock()
	h, ok := l.held[id]
	delete(l.held, id)
	l.mu.Unlock()
	if !ok {
		l.idle.Add(1)
		return false, nil
	}
	h.timer.Stop()
	l.released.Add(1)
	return true, h.unlock()
}

func (l *Locks) release(h *heldLock) {
	h.timer.Stop()
	if err := h.unlock(); err != nil {
		l.releaseErrors.Add(1)
	}
}

// ReleaseAll releases every held lock (at the end of a run).
func (l *Locks) ReleaseAll() {
	l.mu.Lock()
	hs := make([]*heldLock, 0, len(l.held))
	for id, h := range l.held {
		hs = append(hs, h)
		delete(l.held, id)
	}
	l.mu.Unlock()
	for _, h := range hs {
		l.release(h)
	}
}

// Metrics are the lock counts: locks_acquired, locks_reacquired (already
// held), locks_released (by a release op), locks_auto_released (after
// hold), idle_releases (nothing held), release_errors.
func (l *Locks) Metrics(m map[string]float64) {
	m["locks_acquired"] = float64(l.acquired.Load())
	m["locks_reacquired"] = float64(l.reacquired.Load())
	m["locks_released"] = float64(l.released.Load())
	m["locks_auto_released"] = float64(l.autoReleased.Load())
	m["idle_releases"] = float64(l.idle.Load())
	m["release_errors"] = float64(l.releaseErrors.Load())
}
