package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/results"
)

// progress reports runs as they go: bars on a terminal, one line per run
// when stderr is a pipe (CI logs), nothing with -q. wait blocks until every
// bar is drawn.
type progress interface {
	bench.Progress
	wait()
}

func newProgress(w io.Writer, quiet bool) progress {
	if quiet {
		return quietProgress{}
	}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 && termWidth(f) > 0 {
			return &barProgress{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond))}
		}
	}
	return &lineProgress{w: w}
}

type quietProgress struct{}

func (quietProgress) Start(string, int, int, uint64) bench.RunProgress { return quietBar{} }
func (quietProgress) wait()                                            {}

type quietBar struct{}

func (quietBar) Set(uint64)           {}
func (quietBar) Done(*harness.Report) {}
func (quietBar) Abort()               {}

// lineProgress prints one line per finished run.
type lineProgress struct{ w io.Writer }

func (l *lineProgress) Start(label string, i, n int, _ uint64) bench.RunProgress {
	return &lineBar{w: l.w, prefix: fmt.Sprintf("[%d/%d] %s", i+1, n, label)}
}
func (l *lineProgress) wait() {}

type lineBar struct {
	w      io.Writer
	prefix string
}

func (b *lineBar) Set(uint64) {}
func (b *lineBar) Done(rep *harness.Report) {
	fmt.Fprintf(b.w, "%s: %s ops in %s", b.prefix, humanCount(rep.Ops), rep.Duration.Round(time.Millisecond))
	if rep.Interrupted {
		fmt.Fprint(b.w, " (interrupted)")
	}
	fmt.Fprintln(b.w)
}
func (b *lineBar) Abort() { fmt.Fprintf(b.w, "%s: failed\n", b.prefix) }

// barProgress draws one mpb bar per run on a terminal.
type barProgress struct{ p *mpb.Progress }

func (bp *barProgress) Start(label string, i, n int, expected uint64) bench.RunProgress {
	return bp.StartTimed(label, i, n, expected, 0, 0)
}

// StartTimed draws a run that ends by time (a wall-clock --duration) as
// elapsed against total, a run that ends by op count as ops against the
// expected count with its ETA, and anything else as a spinner with the
// elapsed time (never an ETA that counts below zero).
func (bp *barProgress) StartTimed(label string, i, n int, expected uint64, warmup, measured time.Duration) bench.RunProgress {
	if measured > 0 {
		return bp.timed(label, i, n, warmup, measured)
	}
	total := int64(expected)
	started := time.Now()
	var cur atomic.Uint64
	var ended atomic.Int64 // unix ns when the run ended; 0 while it runs
	rate := decor.Any(func(decor.Statistics) string {
		end := time.Now()
		if e := ended.Load(); e != 0 {
			end = time.Unix(0, e)
		}
		el := end.Sub(started).Seconds()
		if el <= 0 {
			return ""
		}
		return results.HumanRate(float64(cur.Load()) / el)
	}, decor.WC{W: 14})
	opts := []mpb.BarOption{
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("[%d/%d] %s ", i+1, n, label))),
	}
	var bar *mpb.Bar
	if total > 0 {
		opts = append(opts, mpb.AppendDecorators(decor.CurrentNoUnit(" %d ops "), rate, decor.Name(" "),
			decor.OnComplete(decor.EwmaETA(decor.ET_STYLE_GO, 30), "done")))
		bar = bp.p.AddBar(total, opts...)
	} else {
		opts = append(opts, mpb.AppendDecorators(decor.CurrentNoUnit(" %d ops "), rate, decor.Name(" "),
			decor.OnComplete(decor.Elapsed(decor.ET_STYLE_GO), "done")))
		bar = bp.p.AddSpinner(0, opts...)
	}
	return &termBar{bar: bar, cur: &cur, ended: &ended, last: time.Now()}
}

// timed is a bar of elapsed against total time (warm-up + measured): it
// fills from the first progress report (building and loading come before)
// and shows the measured ops and their rate beside it.
func (bp *barProgress) timed(label string, i, n int, warmup, measured time.Duration) bench.RunProgress {
	tb := &timedBar{length: warmup + measured, warmup: warmup}
	length := tb.length
	bar := bp.p.AddBar(length.Milliseconds(),
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("[%d/%d] %s ", i+1, n, label))),
		mpb.AppendDecorators(
			decor.Any(func(decor.Statistics) string { return tb.clock() }, decor.WC{W: 16}),
			decor.Any(func(decor.Statistics) string { return tb.ops() }, decor.WC{W: 26}),
			decor.Any(func(decor.Statistics) string { return tb.status() }),
		))
	tb.bar = bar
	return tb
}

// timedBar follows a run that ends by time.
type timedBar struct {
	bar     *mpb.Bar
	length  time.Duration // warm-up + --duration
	warmup  time.Duration
	first   atomic.Int64 // unix ns of the first report; 0 before
	firstOp atomic.Int64 // unix ns of the first report of a measured op; 0 before
	ended   atomic.Int64 // unix ns when the run ended; 0 while it runs
	took    atomic.Int64 // the run's measured duration once it ended
	done    atomic.Uint64
	state   atomic.Value // "" while it runs, then " done", " interrupted" or " failed"
}

func (t *timedBar) status() string {
	s, _ := t.state.Load().(string)
	return s
}

func (t *timedBar) elapsed() time.Duration {
	if took := t.took.Load(); took > 0 {
		return min(time.Duration(took), t.length)
	}
	f := t.first.Load()
	if f == 0 {
		return 0
	}
	end := time.Now()
	if e := t.ended.Load(); e != 0 {
		end = time.Unix(0, e)
	}
	return min(end.Sub(time.Unix(0, f)), t.length)
}

// clock is "1.2s / 3s", and says "warm-up" until the first measured op.
func (t *timedBar) clock() string {
	c := fmt.Sprintf(" %s / %s", t.elapsed().Round(100*time.Millisecond), t.length)
	if t.warmup > 0 && t.firstOp.Load() == 0 && t.ended.Load() == 0 {
		c = " warm-up" + c
	}
	return c
}

// ops is the measured ops so far and their rate since the first of them
// (a warm-up reports 0 ops, and its time is not in the rate).
func (t *timedBar) ops() string {
	d := t.done.Load()
	f := t.firstOp.Load()
	if f == 0 {
		return "  0 ops"
	}
	end := time.Now()
	if e := t.ended.Load(); e != 0 {
		end = time.Unix(0, e)
	}
	el := end.Sub(time.Unix(0, f)).Seconds()
	if el <= 0 {
		return fmt.Sprintf("  %s ops", humanCount(d))
	}
	return fmt.Sprintf("  %s ops, %s", humanCount(d), results.HumanRate(float64(d)/el))
}

func (t *timedBar) Set(done uint64) {
	now := time.Now().UnixNano()
	t.first.CompareAndSwap(0, now)
	if done > 0 {
		t.firstOp.CompareAndSwap(0, now)
	}
	t.done.Store(done)
	t.bar.SetCurrent(t.elapsed().Milliseconds())
}

// Done ends the bar at the run's measured duration: a run that reached
// its --duration fills and completes it; an interrupted one stops where it
// was and aborts, leaving the bar drawn (every bar must complete or abort,
// or mpb's Wait blocks).
func (t *timedBar) Done(rep *harness.Report) {
	t.first.CompareAndSwap(0, time.Now().UnixNano())
	t.ended.Store(time.Now().UnixNano())
	if rep.Duration > 0 {
		t.took.Store(int64(t.warmup + rep.Duration))
	}
	t.done.Store(rep.Ops)
	if rep.Interrupted {
		t.state.Store(" interrupted")
		t.bar.SetCurrent(t.elapsed().Milliseconds())
		t.bar.Abort(false)
		return
	}
	t.state.Store(" done")
	t.bar.SetCurrent(t.length.Milliseconds())
	t.bar.SetTotal(-1, true)
}

func (t *timedBar) Abort() {
	t.state.Store(" failed")
	t.bar.Abort(false)
}

var _ bench.TimedProgress = (*barProgress)(nil)

// wait blocks until every bar has completed or aborted.
func (bp *barProgress) wait() { bp.p.Wait() }

type termBar struct {
	bar   *mpb.Bar
	cur   *atomic.Uint64
	ended *atomic.Int64
	last  time.Time
}

func (t *termBar) Set(done uint64) {
	now := time.Now()
	t.bar.EwmaSetCurrent(int64(done), now.Sub(t.last))
	t.last = now
	t.cur.Store(done)
}

// Done completes the bar whatever its total was: every bar must complete or
// abort, or mpb's Wait blocks.
func (t *termBar) Done(rep *harness.Report) {
	t.ended.Store(time.Now().UnixNano())
	t.cur.Store(rep.Ops)
	t.bar.SetCurrent(int64(rep.Ops))
	t.bar.SetTotal(-1, true)
}

func (t *termBar) Abort() { t.bar.Abort(false) }

// humanCount prints 1234567 as 1.23M.
func humanCount(n uint64) string {
	f := float64(n)
	switch {
	case f >= 1e9:
		return fmt.Sprintf("%.3gG", f/1e9)
	case f >= 1e6:
		return fmt.Sprintf("%.3gM", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.3gk", f/1e3)
	}
	return fmt.Sprintf("%d", n)
}
