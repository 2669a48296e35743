package harness

import (
	"fmt"
	"strings"
	"time"
)

// Generator health, as wrk2 and k6 report it: an open-loop run whose
// generator could not keep its schedule measures the generator's lateness
// along with the target (latency runs from the intended start), so the run
// says so. A run fell behind when it achieved less than MinAchievedRatio of
// the requested rate, or when its send lag's p99 exceeds MaxSendLagP99.
const (
	MinAchievedRatio = 0.95
	MaxSendLagP99    = time.Millisecond
)

// RequestedRate is the open-loop schedule's rate over the measured phase, in
// ops/s: the gaps between the intended starts of the ops it asked for (sent
// or dropped) over their span. 0 when it cannot be told (a closed loop, fewer
// than two ops).
func (r *Report) RequestedRate() float64 {
	return rate(r.Intended, r.IntendedSpan)
}

// AchievedRate is the rate at which the open loop actually sent, in ops/s:
// the gaps between the actual sends over their span.
func (r *Report) AchievedRate() float64 {
	return rate(r.Ops, r.SentSpan)
}

func rate(n uint64, span time.Duration) float64 {
	if n < 2 || span <= 0 {
		return 0
	}
	return float64(n-1) / span.Seconds()
}

// FellBehind explains, in one clause, how an open-loop run missed its
// schedule ("achieved 4.1M ops/s of 8M requested (0.51×), 12 dropped; send
// lag p99 3.2ms"), or returns "" when it kept it. A closed loop has no
// schedule to miss.
func (r *Report) FellBehind() string {
	if r.Loop != "open" || r.SendLag == nil {
		return ""
	}
	var why []string
	req, got := r.RequestedRate(), r.AchievedRate()
	if req > 0 && got < MinAchievedRatio*req {
		s := fmt.Sprintf("achieved %s ops/s of %s requested (%.2f×)", siRate(got), siRate(req), got/req)
		if r.Dropped > 0 {
			about := ""
			if r.DroppedEstimated {
				about = "about "
			}
			s += fmt.Sprintf(", %s%d not sent", about, r.Dropped)
		}
		why = append(why, s)
	}
	if p99 := time.Duration(r.SendLag.ValueAtQuantile(99)); p99 > MaxSendLagP99 {
		why = append(why, fmt.Sprintf("send lag p99 %v (over %v)", p99.Round(time.Microsecond), MaxSendLagP99))
	}
	return strings.Join(why, "; ")
}

// siRate prints a rate with three significant digits and a k/M/G suffix.
func siRate(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.3gG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.3g", v)
}
