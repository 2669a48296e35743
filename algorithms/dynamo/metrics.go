package dynamo

import "github.com/dsbench/dsbench/algorithms"

// Lost counts the acknowledged writes that no live node holds any more: for
// each key, every acknowledged write that no later acknowledged write
// descends from must be covered by a version in some up node's store or
// hinted replicas (durability: an acknowledged write is never lost).
func (s *Sim) Lost() uint64 {
	var lost uint64
	for key, acked := range s.acked {
		for _, c := range acked {
			if !s.held(key, c) {
				lost++
			}
		}
	}
	return lost
}

func (s *Sim) held(key uint64, c VC) bool {
	for i := range s.nodes {
		n := &s.nodes[i]
		if !n.up {
			continue
		}
		if Covers(n.store.Get(key), c) {
			return true
		}
		for to := int8(0); n.hintsLive > 0 && int(to) < len(s.nodes); to++ {
			if j, ok := n.hintIdx[hintKey{to, key}]; ok && Covers(n.hints[j].vers, c) {
				return true
			}
		}
	}
	return false
}

// Replicated counts, over keys with an acknowledged write, the up replicas
// (of the first N of the preference list) that do not yet hold the key's
// latest acknowledged write: 0 once hinted handoff, read repair and
// anti-entropy have converged.
func (s *Sim) Divergent() uint64 {
	var d uint64
	for key, c := range s.latest {
		pref := s.ring.Pref(s.ring.Range(key))[:s.cfg.N]
		for _, n := range pref {
			if s.nodes[n].up && !Covers(s.nodes[n].store.Get(key), c) {
				d++
			}
		}
	}
	return d
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Metrics are the family figures (NOTES.md defines each).
func (s *Sim) Metrics() map[string]float64 {
	okReads := s.reads - s.readsFailed
	// Writes begun while a node was down; over all writes when none was.
	avail := ratio(s.outAcks, s.outWrites)
	if s.outWrites == 0 {
		avail = ratio(s.writeAcks, s.writes)
		if s.writes == 0 {
			avail = 1
		}
	}
	m := map[string]float64{
		"stale_read_rate":       ratio(s.staleReads, okReads),
		"stale_reads":           float64(s.staleReads),
		"siblings_returned":     float64(s.sibReads),
		"versions_per_read":     ratio(s.versionsReturned, okReads),
		"hints_stored":          float64(s.hintsStored),
		"hints_delivered":       float64(s.hintsDelivered),
		"read_repairs":          float64(s.readRepair),
		"merkle_ranges_synced":  float64(s.rangesSynced),
		"antientropy_rounds":    float64(s.aeRounds),
		"messages_per_op":       ratio(s.messages, s.opsDone),
		"write_availability":    avail,
		"writes_failed":         float64(s.writesFailed),
		"reads_failed":          float64(s.readsFailed),
		"durability_violations": float64(s.Lost()),
		"divergent_replicas":    float64(s.Divergent()),
	}
	if s.net != nil {
		// The cluster's figures (messages dropped, faults injected, CPU);
		// messages_per_op stays Dynamo's own, which counts the client's
		// messages and the tree exchanges too.
		for k, v := range algorithms.ClusterMetrics(s.net, s.opsDone, s.w.Now()) {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
	}
	return m
}
