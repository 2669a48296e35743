package bigtable

// leastLoaded returns the server with the fewest tablets (lowest id on a
// tie); t.mu write-held or the table not yet shared.
func (t *Table) leastLoaded() int {
	counts := t.tabletCounts()
	best := 0
	for s, c := range counts {
		if c < counts[best] {
			best = s
		}
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

// rebalance moves tablets from the most to the least loaded server (by
// tablet count) until they differ by at most one, each time the
// least-written tablet of the loaded server, minor-compacted first. t.mu
// write-held.
func (t *Table) rebalance() {
	for {
		counts := t.tabletCounts()
		hi, lo := 0, 0
		for s, c := range counts {
			if c > counts[hi] {
				hi = s
			}
			if c < counts[lo] {
				lo = s
			}
		}
		if counts[hi]-counts[lo] <= 1 {
			return
		}
		var pick *tablet
		for _, tab := range t.tablets {
			if tab.server == hi && (pick == nil || tab.writes.Load() < pick.writes.Load()) {
				pick = tab
			}
		}
		flush(pick.db) // best effort: a failed flush leaves the rows in the log
		pick.server = lo
		t.moves.Add(1)
	}
}
