package results

import (
	"bufio"
	"io"
	"strings"
)

// WriteMarkdown writes the table writer's content as GitHub-flavoured
// Markdown: the run table (numbers right-aligned), a metrics table when any
// run has metrics, and the footnotes as a list.
func WriteMarkdown(w io.Writer, doc *Document, opt TableOptions) error {
	v := newView(doc, opt)
	bw := bufio.NewWriter(w)
	mdTable(bw, v.header, v.numeric, v.rows)
	if len(v.metrics) > 0 {
		bw.WriteString("\n")
		mdTable(bw, []string{"run", "target", "metric", "value"}, []bool{false, false, false, true}, v.metrics)
	}
	if len(v.notes) > 0 {
		bw.WriteString("\n")
		for _, n := range v.notes {
			bw.WriteString("- " + mdEscape(n) + "\n")
		}
	}
	return bw.Flush()
}

func mdTable(w *bufio.Writer, header []string, numeric []bool, rows [][]string) {
	mdRow(w, header)
	w.WriteString("|")
	for _, num := range numeric {
		if num {
			w.WriteString("---:|")
		} else {
			w.WriteString("---|")
		}
	}
	w.WriteString("\n")
	for _, r := range rows {
		mdRow(w, r)
	}
}

func mdRow(w *bufio.Writer, cells []string) {
	w.WriteString("|")
	for _, c := range cells {
		w.WriteString(" " + mdEscape(c) + " |")
	}
	w.WriteString("\n")
}

// mdEscape keeps a cell one cell: pipes are escaped and line breaks, which
// would end the table, become spaces. "*" and "_" are escaped so run marks
// and parameter names print as written; "<", ">" and "&" become entities,
// so a value such as url=http://x/<script> is shown, never rendered as HTML
// by a Markdown viewer (a pull request comment, say); "`" is escaped so it
// opens no code span.
var mdEscape = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "*", `\*`, "_", `\_`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "\\`").Replace
