package compare

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dsbench/dsbench/results"
)

// Options tunes a comparison.
type Options struct {
	Alpha   float64     // significance level; 0 means 0.05
	Noise   float64     // fraction inside which no change is called; 0 means 0.02, <0 means none
	Metrics []string    // metrics to report; empty means DefaultMetrics plus every family metric
	Gates   []Threshold // thresholds that fail the comparison
	// IgnoreParams are left out when pairing runs: the parameters whose
	// change is under test (base service=1ms against candidate service=1.1ms).
	IgnoreParams []string
	// KeyGates adds gates that apply only to some keys (KeyOf), on top of
	// Gates: a suite gates deterministic virtual-time entries tightly and
	// leaves a noisy wall-clock entry ungated, or gates it loosely.
	KeyGates map[Key][]Threshold
	// PairBy says what runs pair by: PairAll (the default: target,
	// parameters, workload and clock) or PairWorkload (workload and clock
	// only), which compares two variants — p2c against round-robin, Paxos
	// against Raft — measured on the same workload. Under PairWorkload each
	// side must hold one variant (one target and parameter set) per
	// workload and clock.
	PairBy string
	// ListMissing lists runs found on one side only as Result.New
	// (candidate only: a benchmark the change adds or renames) and
	// Result.Gone (base only) and compares the rest, instead of refusing
	// the pair; a CI gate decides with FailOnMissing whether they fail.
	// With nothing in common it still refuses, unless AllowNoCommon.
	ListMissing   bool
	AllowNoCommon bool
	// FailOnMissing makes new and gone runs fail the comparison
	// (Result.MissingFails), as crossed gates do.
	FailOnMissing bool
	// AllowZeroBase lets a relative gate pass a row whose base median is 0
	// (no relative change can be computed); by default such a row, changed
	// with significance, is listed in Result.ZeroBase and fails.
	AllowZeroBase bool
}

// The PairBy values.
const (
	PairAll      = "all"
	PairWorkload = "workload"
)

// PairByValues lists the valid Options.PairBy values.
var PairByValues = []string{PairAll, PairWorkload}

// Verdicts.
const (
	Faster = "faster"
	Slower = "slower"
	Same   = "~"
	Higher = "higher" // a significant increase of a metric with no known direction
	Lower  = "lower"
)

// Row is one (key, metric) comparison.
type Row struct {
	Key
	Label  string  `json:"label"`
	Metric string  `json:"metric"`
	NBase  int     `json:"n_base"`
	NCand  int     `json:"n_candidate"`
	Base   float64 `json:"base"`      // median
	Cand   float64 `json:"candidate"` // median
	// Change is candidate/base − 1; Lo and Hi bound it at 1 − α
	// (Hodges–Lehmann); NaN when undefined.
	Change  float64 `json:"change"`
	Lo      float64 `json:"ci_low"`
	Hi      float64 `json:"ci_high"`
	P       float64 `json:"p"`
	Verdict string  `json:"verdict"`
	// Insufficient is set when the sample counts cannot reach significance.
	Insufficient bool `json:"insufficient,omitempty"`
	// Failed lists the gates this row crosses with significance.
	Failed []string `json:"failed,omitempty"`
}

// Result is a whole comparison.
type Result struct {
	Alpha float64 `json:"alpha"`
	Noise float64 `json:"noise"`
	Need  int     `json:"need"` // samples per side needed to reach significance at Alpha
	Rows  []Row   `json:"rows"`
	// Geomean holds, per metric, the geometric mean of the medians of every
	// key and of the ratio between them (only with two keys or more).
	Geomean []Row    `json:"geomean,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	// Failures are the gates crossed with significance; Undecided are gates
	// whose rows had too few samples to decide.
	Failures  []string    `json:"failures,omitempty"`
	Undecided []string    `json:"undecided,omitempty"`
	Gates     []Threshold `json:"gates,omitempty"`
	// New and Gone label the runs found only in the candidate and only in
	// the base (with Options.ListMissing).
	New  []string `json:"new,omitempty"`
	Gone []string `json:"gone,omitempty"`
	// ZeroBase lists the relative gates that could not judge a row: its
	// base median is 0 and the candidate differs with significance (p99
	// from 0 to 4.64 ms). They fail unless Options.AllowZeroBase; an
	// absolute threshold (latency.p99>5ms) judges such a row.
	ZeroBase []string `json:"zero_base,omitempty"`
	// MissingFails is set when some run is new or gone and
	// Options.FailOnMissing asked for that to fail.
	MissingFails bool `json:"missing_fails,omitempty"`
}

// Missing reports whether some run was found on one side only.
func (r *Result) Missing() bool { return len(r.New) > 0 || len(r.Gone) > 0 }

// Failed reports whether any gate was crossed with significance, or could
// not judge a significant change from a zero base.
func (r *Result) Failed() bool { return len(r.Failures) > 0 || len(r.ZeroBase) > 0 }

// Compare pairs the runs of base and cand and compares every metric. It
// returns a *MismatchError when the documents measure different things, and
// an error when a gate names a metric neither side has.
func Compare(base, cand *results.Document, o Options) (*Result, error) {
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if !(o.Alpha > 0 && o.Alpha < 1) { // NaN fails both
		return nil, fmt.Errorf("alpha %v is outside (0, 1)", o.Alpha)
	}
	if math.IsNaN(o.Noise) || math.IsInf(o.Noise, 0) {
		return nil, fmt.Errorf("noise %v is not a finite fraction", o.Noise)
	}
	if o.Noise == 0 {
		o.Noise = 0.02
	} else if o.Noise < 0 {
		o.Noise = 0
	}
	ignore := map[string]bool{}
	for _, p := range o.IgnoreParams {
		ignore[p] = true
	}
	byWorkload := false
	switch o.PairBy {
	case "", PairAll:
	case PairWorkload:
		byWorkload = true
	default:
		return nil, fmt.Errorf("pair-by %q: valid: %s", o.PairBy, strings.Join(PairByValues, ", "))
	}
	bg, cg := groupRuns(base, ignore, byWorkload), groupRuns(cand, ignore, byWorkload)
	if byWorkload {
		if err := oneVariantEach(bg, "base"); err != nil {
			return nil, err
		}
		if err := oneVariantEach(cg, "candidate"); err != nil {
			return nil, err
		}
	}
	var news, gone []string
	if o.ListMissing {
		var common int
		for _, k := range bg.keys {
			if _, ok := cg.runs[k]; ok {
				common++
			}
		}
		if common > 0 || o.AllowNoCommon {
			news, gone = oneSided(cg, bg), oneSided(bg, cg)
			bg, cg = bg.only(cg), cg.only(bg)
		}
	}
	if len(bg.keys) > 0 || !o.AllowNoCommon {
		if err := checkPairing(bg, cg); err != nil {
			return nil, err
		}
	}
	res := &Result{Alpha: o.Alpha, Noise: o.Noise, Need: NeedSamples(o.Alpha), Gates: allGates(o), New: news, Gone: gone,
		MissingFails: o.FailOnMissing && len(news)+len(gone) > 0}
	res.Notes = notes(base, cand, bg, cg)
	if len(bg.keys) == 0 {
		return res, nil // nothing in common (AllowNoCommon): only new and gone runs
	}

	metrics, err := chooseMetrics(o, bg, cg)
	if err != nil {
		return nil, err
	}
	for _, k := range bg.keys {
		for _, m := range metrics {
			row, ok := compareOne(k, m, bg.runs[k], cg.runs[k], o, res.Need)
			if !ok {
				continue
			}
			row.Label = k.Label(bg.names[k])
			if byWorkload {
				row.Label = bg.variant(k) + " vs " + cg.variant(k) + " " + row.Label
			}
			res.Rows = append(res.Rows, row)
		}
	}
	res.gate(o)
	if len(bg.keys) > 1 {
		res.Geomean = geomeans(res.Rows, metrics)
	}
	return res, nil
}

func chooseMetrics(o Options, bg, cg *group) ([]string, error) {
	var all []*results.Run
	for _, k := range bg.keys {
		all = append(all, bg.runs[k]...)
		all = append(all, cg.runs[k]...)
	}
	family := familyMetrics(all)
	var ms []string
	seen := map[string]bool{}
	add := func(m string) {
		if !seen[m] {
			seen[m] = true
			ms = append(ms, m)
		}
	}
	if len(o.Metrics) == 0 {
		for _, m := range DefaultMetrics() {
			add(m)
		}
		for _, m := range family {
			add(m)
		}
	}
	for _, m := range o.Metrics {
		if _, err := metricDirection(m); err != nil {
			return nil, err
		}
		add(m)
	}
	for _, g := range allGates(o) {
		add(g.Metric)
	}
	var unpaired []*results.Run // the new and gone runs, listed apart
	if o.ListMissing {
		for _, g := range []*group{bg, cg} {
			for _, rs := range g.runs {
				unpaired = append(unpaired, rs...)
			}
		}
	}
	kept := ms[:0]
	for _, m := range ms {
		if _, err := metricDirection(m); err != nil {
			return nil, err
		}
		if !inAny(all, m) {
			// A gate on a figure only new or gone runs have (a suite
			// entry renamed, or its parameters changed) judges nothing:
			// those runs are listed, and the gate passes.
			if inAny(unpaired, m) {
				continue
			}
			return nil, fmt.Errorf("metric %q is in no run on both sides (family metrics here: %v)", m, family)
		}
		kept = append(kept, m)
	}
	return kept, nil
}

func inAny(runs []*results.Run, m string) bool {
	for _, r := range runs {
		if _, ok := value(r, m); ok {
			return true
		}
	}
	return false
}

func samples(runs []*results.Run, m string) []float64 {
	var xs []float64
	for _, r := range runs {
		if v, ok := value(r, m); ok && !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	return xs
}

func compareOne(k Key, m string, br, cr []*results.Run, o Options, need int) (Row, bool) {
	xs, ys := samples(br, m), samples(cr, m)
	if len(xs) == 0 && len(ys) == 0 {
		return Row{}, false
	}
	row := Row{Key: k, Metric: m, NBase: len(xs), NCand: len(ys), Base: Median(xs), Cand: Median(ys)}
	row.Change, row.Lo, row.Hi = change(xs, ys, row.Base, o.Alpha)
	_, row.P = MannWhitney(xs, ys)
	if MinPValue(len(xs), len(ys)) > o.Alpha {
		row.Insufficient = true
		row.Verdict = fmt.Sprintf("insufficient samples (need ≥ %d per side)", need)
		return row, true
	}
	row.Verdict = verdict(m, row.Change, row.P, o)
	return row, true
}

// change returns candidate/base − 1 and a confidence interval for it. With
// positive samples the interval is the Hodges–Lehmann interval of the log
// ratio (a shift in log space is a ratio); otherwise of the difference,
// scaled by the base median.
func change(xs, ys []float64, baseMed float64, alpha float64) (c, lo, hi float64) {
	if len(xs) == 0 || len(ys) == 0 || baseMed == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	c = Median(ys)/baseMed - 1
	if allPositive(xs) && allPositive(ys) {
		_, l, h := HodgesLehmann(logs(xs), logs(ys), alpha)
		return c, math.Expm1(l), math.Expm1(h)
	}
	_, l, h := HodgesLehmann(xs, ys, alpha)
	return c, l / math.Abs(baseMed), h / math.Abs(baseMed)
}

func allPositive(xs []float64) bool {
	for _, x := range xs {
		if x <= 0 {
			return false
		}
	}
	return true
}

func logs(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Log(x)
	}
	return out
}

func verdict(m string, c, p float64, o Options) string {
	if math.IsNaN(c) || p >= o.Alpha || math.Abs(c) <= o.Noise {
		return Same
	}
	dir, _ := metricDirection(m)
	switch {
	case dir == HigherIsBetter && c > 0, dir == LowerIsBetter && c < 0:
		return Faster
	case dir == Unknown && c > 0:
		return Higher
	case dir == Unknown:
		return Lower
	}
	return Slower
}

// gate marks the rows whose change crosses a threshold with significance
// (p < α). The noise band does not apply: a gate is its own band.
func (r *Result) gate(o Options) {
	for i := range r.Rows {
		row := &r.Rows[i]
		for _, g := range append(o.Gates[:len(o.Gates):len(o.Gates)], o.KeyGates[row.Key]...) {
			if row.Metric != g.Metric {
				continue
			}
			if g.Absolute { // the candidate's own figure, no significance needed
				if row.NCand == 0 || math.IsNaN(row.Cand) || g.CrossedBy(row.Cand) {
					row.Failed = append(row.Failed, g.Expr)
					r.Failures = append(r.Failures, fmt.Sprintf("%s on %s: candidate median %s", g.Expr, row.Label, g.format(row.Cand)))
				}
				continue
			}
			if row.Insufficient {
				r.Undecided = append(r.Undecided, fmt.Sprintf("%s on %s: %d/%d samples, need ≥ %d per side",
					g.Expr, row.Label, row.NBase, row.NCand, r.Need))
				continue
			}
			if row.Base == 0 && row.Cand != 0 && row.P < r.Alpha {
				if !o.AllowZeroBase {
					row.Failed = append(row.Failed, g.Expr+" (zero base)")
					r.ZeroBase = append(r.ZeroBase, fmt.Sprintf("%s on %s: the base median is 0, so no relative change can be judged (candidate median %g, p=%.3g); gate it with an absolute threshold (%s>VALUE) or pass --allow-zero-base",
						g.Expr, row.Label, row.Cand, row.P, g.Metric))
				}
				continue
			}
			if row.P < r.Alpha && !math.IsNaN(row.Change) && g.crossed(row.Change) {
				row.Failed = append(row.Failed, g.Expr)
				r.Failures = append(r.Failures, fmt.Sprintf("%s on %s: %+.2f%% (p=%.3g)",
					g.Expr, row.Label, row.Change*100, row.P))
			}
		}
	}
}

// allGates lists Gates and every KeyGates threshold once, in a stable order.
func allGates(o Options) []Threshold {
	out := append([]Threshold(nil), o.Gates...)
	seen := map[string]bool{}
	for _, g := range out {
		seen[g.Expr] = true
	}
	keys := make([]Key, 0, len(o.KeyGates))
	for k := range o.KeyGates {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		for _, g := range o.KeyGates[k] {
			if !seen[g.Expr] {
				seen[g.Expr] = true
				out = append(out, g)
			}
		}
	}
	return out
}

func notes(base, cand *results.Document, bg, cg *group) []string {
	var ns []string
	if bs, cs := seedList(bg.seeds), seedList(cg.seeds); bs != cs {
		ns = append(ns, fmt.Sprintf("seeds differ (base %s, candidate %s): the sides replayed different op streams", bs, cs))
	}
	if bi, ci := setList(bg.igned), setList(cg.igned); bi != ci {
		ns = append(ns, fmt.Sprintf("ignored parameters differ (base %s, candidate %s)", bi, ci))
	}
	if bg.bad > 0 {
		ns = append(ns, fmt.Sprintf("%d failed base run(s) left out", bg.bad))
	}
	if cg.bad > 0 {
		ns = append(ns, fmt.Sprintf("%d failed candidate run(s) left out", cg.bad))
	}
	if base.Interrupted {
		ns = append(ns, "the base was interrupted")
	}
	if cand.Interrupted {
		ns = append(ns, "the candidate was interrupted")
	}
	return ns
}

// geomeans summarises each metric over every key: the geometric mean of the
// base and candidate medians and of their ratio. Keys with a non-positive
// median are left out, since a geometric mean cannot include them.
func geomeans(rows []Row, metrics []string) []Row {
	var out []Row
	for _, m := range metrics {
		var lb, lc float64
		n := 0
		for _, r := range rows {
			if r.Metric != m || r.Base <= 0 || r.Cand <= 0 {
				continue
			}
			lb += math.Log(r.Base)
			lc += math.Log(r.Cand)
			n++
		}
		if n == 0 {
			continue
		}
		b, c := math.Exp(lb/float64(n)), math.Exp(lc/float64(n))
		out = append(out, Row{Label: "geomean", Metric: m, Base: b, Cand: c, Change: c/b - 1,
			Lo: math.NaN(), Hi: math.NaN(), P: math.NaN(), NBase: n, NCand: n})
	}
	return out
}

func setList(m map[string]bool) string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}
