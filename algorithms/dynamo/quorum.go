package dynamo

// Quorum is the coordinator's count for one get or put (§4.5): it sent the
// request to Sent replicas and needs Need successful replies. It decides
// once: success at the Need-th reply, failure as soon as too few replicas
// are left to reach Need, or at the deadline.
type Quorum struct {
	Need, Sent  int
	OK, Failed  int
	Done, Succ  bool
	Outstanding int
}

// NewQuorum starts a count; a quorum that cannot be met (sent < need)
// fails at once.
func NewQuorum(need, sent int) Quorum {
	q := Quorum{Need: need, Sent: sent, Outstanding: sent}
	if sent < need {
		q.Done = true
	}
	return q
}

// Reply counts one replica's answer and reports whether this reply decided
// the quorum (then Succ tells which way).
func (q *Quorum) Reply(ok bool) bool {
	if q.Outstanding > 0 {
		q.Outstanding--
	}
	if ok {
		q.OK++
	} else {
		q.Failed++
	}
	if q.Done {
		return false
	}
	switch {
	case q.OK >= q.Need:
		q.Done, q.Succ = true, true
		return true
	case q.Sent-q.Failed < q.Need:
		q.Done = true
		return true
	}
	return false
}

// Expire is the deadline: it reports whether the quorum was still open (and
// so has now failed).
func (q *Quorum) Expire() bool {
	if q.Done {
		return false
	}
	q.Done = true
	return true
}

// AllIn reports whether every replica has answered.
func (q *Quorum) AllIn() bool { return q.Outstanding == 0 }
