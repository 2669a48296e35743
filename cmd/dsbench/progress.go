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
		mpb.AppendDecorators(decor.CurrentNoUnit(" %d ops "), rate, decor.Name(" "), decor.OnComplete(decor.EwmaETA(decor.ET_STYLE_GO, 30), "done")),
	}
	var bar *mpb.Bar
	if total > 0 {
		bar = bp.p.AddBar(total, opts...)
	} else {
		bar = bp.p.AddSpinner(0, opts...)
	}
	return &termBar{bar: bar, cur: &cur, ended: &ended, last: time.Now()}
}

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
