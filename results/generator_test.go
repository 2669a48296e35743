package results

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// An open-loop run whose generator fell behind carries its send lag, the
// ops it did not send and why, in JSON; the table marks it with "~" and
// says in a note that its latency includes the generator's lag.
func TestFellBehindIsShown(t *testing.T) {
	rep := fixtureOpenReport()
	rep.SendLag = histOf(1000, 50_000, 3_000_000)
	rep.Intended, rep.Dropped = 1500, 498
	rep.IntendedSpan, rep.SentSpan = time.Second, 2*time.Second
	r := NewRun(RunMeta{ID: "r1", Target: "builtin/noop", Clock: "wall"}, rep)
	if r.SendLagNs == nil || r.SendLagNs.P99 < 2_900_000 || r.Dropped != 498 || r.RequestedOpsS < 1498 || r.RequestedOpsS > 1500 {
		t.Fatalf("send lag %+v, dropped %d, requested %.0f", r.SendLagNs, r.Dropped, r.RequestedOpsS)
	}
	if !strings.Contains(r.FellBehind, "requested") || !strings.Contains(r.FellBehind, "send lag p99") {
		t.Fatalf("FellBehind = %q", r.FellBehind)
	}
	doc := NewDocument(fixtureEnv(), []Run{r})
	js := render(t, JSON, doc)
	for _, key := range []string{`"send_lag_ns"`, `"dropped": 498`, `"requested_ops_s"`, `"fell_behind"`} {
		if !strings.Contains(js, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	var back Document
	if err := json.Unmarshal([]byte(js), &back); err != nil || back.Runs[0].SendLagNs == nil || back.Runs[0].FellBehind != r.FellBehind {
		t.Errorf("the fields do not read back: %v", err)
	}
	table := render(t, Table, doc)
	if !strings.Contains(table, "│ r1~ ") || !strings.Contains(table, "~ r1: the generator fell behind: ") ||
		!strings.Contains(table, "; latency includes its lag") {
		t.Errorf("the table does not mark the run:\n%s", table)
	}
	// A closed loop has no schedule and no such fields.
	closed := NewRun(RunMeta{ID: "r2"}, fixtureClosedReport())
	if closed.SendLagNs != nil || closed.FellBehind != "" {
		t.Errorf("closed loop: send lag %+v, fell behind %q", closed.SendLagNs, closed.FellBehind)
	}
}
