package simnet

// Block cuts the one-way link from→to.
func (nt *Net[P]) Block(from, to int) {
	if from != to {
		nt.blocked[from*nt.n+to] = true
	}
}

// Unblock opens the one-way link from→to.
func (nt *Net[P]) Unblock(from, to int) { nt.blocked[from*nt.n+to] = false }

// Blocked reports whether the link from→to is cut.
func (nt *Net[P]) Blocked(from, to int) bool { return nt.blocked[from*nt.n+to] }

// Isolate cuts every link to and from node.
func (nt *Net[P]) Isolate(node int) {
	for o := 0; o < nt.n; o++ {
		nt.Block(node, o)
		nt.Block(o, node)
	}
}

// Split cuts every link between group and the other nodes, both ways.
func (nt *Net[P]) Split(group []int) {
	in := make([]bool, nt.n)
	for _, g := range group {
		in[g] = true
	}
	for a := 0; a < nt.n; a++ {
		for b := 0; b < nt.n; b++ {
			if in[a] != in[b] {
				nt.Block(a, b)
			}
		}
	}
}

// Heal opens every link.
func (nt *Net[P]) Heal() { clear(nt.blocked) }

// Partitioned reports whether any link is cut.
func (nt *Net[P]) Partitioned() bool {
	for _, b := range nt.blocked {
		if b {
			return true
		}
	}
	return false
}

// Crash marks node down (idempotent) and calls OnCrash.
func (nt *Net[P]) Crash(node int) {
	if nt.down[node] {
		return
	}
	nt.down[node] = true
	nt.dropQueue(node)
	nt.dropDisk(node)
	if nt.OnCrash != nil {
		nt.OnCrash(node)
	}
}

// Restart brings a crashed node back with a new incarnation and calls
// OnRestart; it does nothing to a node that is up.
func (nt *Net[P]) Restart(node int) {
	if !nt.down[node] {
		return
	}
	nt.down[node] = false
	nt.inc[node]++
	if nt.OnRestart != nil {
		nt.OnRestart(node)
	}
}

// Up reports whether node is running.
func (nt *Net[P]) Up(node int) bool { return !nt.down[node] }

// Incarnation counts node's restarts; timers set before a crash carry an
// older incarnation and should be ignored.
func (nt *Net[P]) Incarnation(node int) uint64 { return nt.inc[node] }
