package spanner

import "time"

// consistency checks what Spanner promises (§4.1.2–4.1.4), from the
// simulator's global view:
//
//   - External consistency: a transaction (write or fresh snapshot read)
//     whose timestamp is not above that of every write acknowledged before
//     it started (a write is acknowledged when the leader replies), or a
//     write whose timestamp is not above that of a snapshot read of its key
//     completed before it started (the read would not be repeatable).
//     Commit wait is what makes the first hold; commit_wait=false breaks it.
//   - Snapshot correctness: a read at t served by a replica that has not
//     applied every write with s ≤ t, or a write given s ≤ t after a read
//     at t was served. Safe time is what makes it hold; safe_wait=false
//     breaks it.
type consistency struct {
	maxAcked           time.Duration            // largest s of any acknowledged write (−1: none)
	keyRead            map[uint64]time.Duration // key → largest timestamp a completed read of it used
	violations         uint64
	snapshotViolations uint64
}

func (c *consistency) init() {
	c.maxAcked = -1
	c.keyRead = map[uint64]time.Duration{}
}

// started returns what a transaction on key starting now must stay above.
func (c *consistency) started(key uint64) (maxAcked, keyRead time.Duration) {
	keyRead = -1
	if r, ok := c.keyRead[key]; ok {
		keyRead = r
	}
	return c.maxAcked, keyRead
}

// checkWrite checks a write's timestamp when the leader picks it.
func (c *consistency) checkWrite(t *txn, g *group) {
	if t.s <= t.startMax || t.s <= t.startRd {
		c.violations++ // a write acknowledged, or a read of this key completed, before this one started has s ≥ ours
	}
	if t.s <= g.maxRead {
		c.snapshotViolations++ // a read at or above s was already served without this write
	}
}

// acked records an acknowledged write.
func (c *consistency) acked(t *txn) { c.maxAcked = max(c.maxAcked, t.s) }

// checkRead checks a snapshot read served from a replica that has applied
// its group's log up to slot applied.
func (c *consistency) checkRead(t *txn, g *group, applied int64) {
	if g.lastAtOrBelow(t.s) > applied {
		c.snapshotViolations++ // a write at or below t is not applied here yet
	}
	g.maxRead = max(g.maxRead, t.s)
	if t.s < t.startMax && !t.stale {
		c.violations++ // the read misses a write acknowledged before it started
	}
	if t.s > c.keyRead[t.key] {
		c.keyRead[t.key] = t.s
	}
}
