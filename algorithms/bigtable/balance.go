package bigtable

// leastLoaded returns the live server with the fewest user tablets (lowest
// id on a tie); t.mu write-held or the table not yet shared.
func (t *Table) leastLoaded() int {
	counts := t.tabletCounts()
	best := -1
	for s, c := range counts {
		if t.live(s) && (best < 0 || c < counts[best]) {
			best = s
		}
	}
	if best < 0 {
		return 0 // no live server: the tablet waits on server 0, which refuses it
	}
	return best
}

func (t *Table) tabletCounts() []int {
	counts := make([]int, t.opts.Servers)
	for _, tab := range t.tablets {
		counts[tab.server]++
	}
	return counts
}

// rebalance moves tablets from the most to the least loaded live server (by
// tablet count) until they differ by at most one, each time the
// least-written tablet of the loaded server, minor-compacted first. t.mu
// write-held.
func (t *Table) rebalance() {
	for {
		counts := t.tabletCounts()
		hi, lo := -1, -1
		for s, c := range counts {
			if !t.live(s) {
				continue
			}
			if hi < 0 || c > counts[hi] {
				hi = s
			}
			if lo < 0 || c < counts[lo] {
				lo = s
			}
		}
		if hi < 0 || counts[hi]-counts[lo] <= 1 {
			return
		}
		var pick *tablet
		for _, tab := range t.tablets {
			if tab.server == hi && (pick == nil || tab.writes.Load() < pick.writes.Load()) {
				pick = tab
			}
		}
		pick.mu.RLock()
		flush(pick.db) // best effort: a failed flush leaves the rows in the log
		pick.mu.RUnlock()
		t.assign(pick.id, &pick.server, lo, true)
		t.moves.Add(1)
	}
}

// moveTablet is the master moving the tablet holding row to server to (a
// balancing move: the old server unloads it). It returns the old server.
func (t *Table) moveTablet(row []byte, to int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	tab := t.locate(row)
	old := tab.server
	tab.mu.RLock()
	flush(tab.db)
	tab.mu.RUnlock()
	t.assign(tab.id, &tab.server, to, true)
	t.moves.Add(1)
	return old
}
