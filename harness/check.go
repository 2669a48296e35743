package harness

import (
	"time"

	"github.com/dsbench/dsbench/harness/history"
)

// HistoryRecorder is implemented by targets that promise linearizable
// operations on a key-value register (consensus logs, quorum stores): given
// a log before the run, they record every client operation's invocation and
// return with its values (package history). With Config.Check the harness
// checks the history after the run.
type HistoryRecorder interface {
	RecordHistory(l *history.Log)
}

// DefaultCheckLimit is the wall time the linearizability checker may spend
// on one key before it gives up (the key counts as undecided).
const DefaultCheckLimit = 10 * time.Second

// startHistory hands target a log when cfg asks for a check and the target
// records one.
func startHistory(target any, cfg *Config) *history.Log {
	if !cfg.Check {
		return nil
	}
	hr, ok := target.(HistoryRecorder)
	if !ok {
		return nil
	}
	l := history.New()
	hr.RecordHistory(l)
	return l
}

// finishHistory checks the log and adds the verdict to the report: the
// result, and the metrics linearizability_violations (keys whose history is
// not linearizable), linearizability_undecided and linearizability_ops.
func finishHistory(l *history.Log, cfg *Config, rep *Report) {
	if l == nil {
		return
	}
	limit := cfg.CheckLimit
	if limit <= 0 {
		limit = DefaultCheckLimit
	}
	res := history.Check(l, limit)
	rep.Check = &res
	if rep.Metrics == nil {
		rep.Metrics = map[string]float64{}
	}
	rep.Metrics["linearizability_violations"] = float64(res.Violations)
	rep.Metrics["linearizability_undecided"] = float64(res.Unknown)
	rep.Metrics["linearizability_ops"] = float64(res.Ops)
}
