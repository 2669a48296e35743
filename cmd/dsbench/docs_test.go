package main

// The documentation's examples are tests: every fenced block marked
//
//	<!-- check -->                 compare each command's whole stdout
//	<!-- check first-table -->     compare stdout up to its first empty line
//	<!-- check head=N -->          compare the first N lines of stdout
//	<!-- check exit=N -->          the block's last command must exit N (the others 0)
//
// in README.md, docs/ or a package's NOTES.md is run through the CLI in-process
// and its output compared with what the page prints, so a page cannot go
// stale. Inside the block, a line "$ dsbench …" (continued by a trailing
// backslash) is a command and the lines after it are its expected stdout; a
// command followed by no lines is run but its stdout is not compared.
//
// Figures are compared token by token (table borders and column padding
// ignored). On a line that holds a wall-clock run (a token starting with
// "wall"), numbers are not compared: they depend on the machine. Everything
// else — every virtual-time figure — must match exactly.
//
// After a deliberate change, rewrite the pages' outputs with
//
//	go test ./cmd/dsbench -run TestDocExamples -update

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/dsbench/dsbench/algorithms"
)

var updateDocs = flag.Bool("update", false, "rewrite the outputs of the documentation's checked examples")

const repoRoot = "../.."

// docBlock is one checked fenced block.
type docBlock struct {
	file       string
	line       int // 1-based line of the opening fence
	firstTable bool
	head       int // > 0: compare only the first head lines
	exit       int
	cmds       []docCmd
	start, end int // line indexes (0-based) of the block's content: [start, end)
}

type docCmd struct {
	text   []string // the command's lines as written, "$ " included
	args   []string // after "dsbench"
	expect []string // expected stdout lines
}

func TestDocExamples(t *testing.T) {
	files := docFiles(t)
	var blocks int
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		bs, err := parseDocBlocks(file, lines)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) == 0 {
			continue
		}
		blocks += len(bs)
		changed := false
		// Rewrite from the last block back, so earlier indexes stay valid.
		for i := len(bs) - 1; i >= 0; i-- {
			b := bs[i]
			outs := runDocBlock(t, b)
			if outs == nil {
				continue
			}
			if *updateDocs {
				lines = append(lines[:b.start], append(renderDocBlock(b, outs), lines[b.end:]...)...)
				changed = true
				continue
			}
			for j, c := range b.cmds {
				if len(c.expect) == 0 {
					continue
				}
				if msg := matchOutput(c.expect, outs[j]); msg != "" {
					t.Errorf("%s:%d: `dsbench %s` printed something else than the page shows (%s).\npage:\n%s\nnow:\n%s\nIf the change is deliberate: go test ./cmd/dsbench -run TestDocExamples -update",
						rel(file), b.line, strings.Join(c.args, " "), msg, strings.Join(c.expect, "\n"), strings.Join(outs[j], "\n"))
				}
			}
		}
		if changed {
			if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if blocks < 3 {
		t.Errorf("found %d checked blocks; the README alone has 3", blocks)
	}
}

// docFiles lists the pages whose examples are checked.
func docFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func rel(path string) string {
	r, err := filepath.Rel(repoRoot, path)
	if err != nil {
		return path
	}
	return r
}

// parseDocBlocks finds the checked blocks of one page.
func parseDocBlocks(file string, lines []string) ([]docBlock, error) {
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		opts, ok := checkMarker(lines[i])
		if !ok {
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			return nil, fmt.Errorf("%s:%d: a check marker must be followed by a fenced block", rel(file), i+1)
		}
		b := docBlock{file: file, line: i + 2, start: i + 2}
		for _, o := range opts {
			switch {
			case o == "first-table":
				b.firstTable = true
			case strings.HasPrefix(o, "head="):
				n, err := strconv.Atoi(strings.TrimPrefix(o, "head="))
				if err != nil || n < 1 {
					return nil, fmt.Errorf("%s:%d: bad %q", rel(file), i+1, o)
				}
				b.head = n
			case strings.HasPrefix(o, "exit="):
				n, err := strconv.Atoi(strings.TrimPrefix(o, "exit="))
				if err != nil {
					return nil, fmt.Errorf("%s:%d: bad %q", rel(file), i+1, o)
				}
				b.exit = n
			default:
				return nil, fmt.Errorf("%s:%d: unknown check option %q (valid: first-table, head=N, exit=N)", rel(file), i+1, o)
			}
		}
		j := b.start
		for ; j < len(lines) && !strings.HasPrefix(lines[j], "```"); j++ {
			l := lines[j]
			if strings.HasPrefix(l, "$ ") {
				c := docCmd{text: []string{l}}
				cmdline := strings.TrimPrefix(l, "$ ")
				for strings.HasSuffix(cmdline, `\`) && j+1 < len(lines) {
					j++
					c.text = append(c.text, lines[j])
					cmdline = strings.TrimSuffix(cmdline, `\`) + " " + strings.TrimSpace(lines[j])
				}
				words, err := shellWords(cmdline)
				if err != nil || len(words) == 0 || words[0] != "dsbench" {
					return nil, fmt.Errorf("%s:%d: a checked command must be `dsbench …` with no pipes or redirections (%v)", rel(file), j+1, err)
				}
				c.args = words[1:]
				b.cmds = append(b.cmds, c)
				continue
			}
			if len(b.cmds) == 0 {
				return nil, fmt.Errorf("%s:%d: output before the first `$ dsbench` command", rel(file), j+1)
			}
			last := &b.cmds[len(b.cmds)-1]
			last.expect = append(last.expect, l)
		}
		if j == len(lines) {
			return nil, fmt.Errorf("%s:%d: unclosed fenced block", rel(file), b.line)
		}
		b.end = j
		if len(b.cmds) == 0 {
			return nil, fmt.Errorf("%s:%d: a checked block holds no `$ dsbench` command", rel(file), b.line)
		}
		out = append(out, b)
		i = j
	}
	return out, nil
}

// checkMarker parses "<!-- check [options] -->".
func checkMarker(line string) ([]string, bool) {
	s := strings.TrimSpace(line)
	if !strings.HasPrefix(s, "<!-- check") || !strings.HasSuffix(s, "-->") {
		return nil, false
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<!-- check"), "-->")
	if s != "" && s[0] != ' ' {
		return nil, false
	}
	return strings.Fields(s), true
}

// runDocBlock runs a block's commands in a fresh directory (which sees the
// repository's scripts/ as ./scripts) and returns each command's stdout
// lines, or nil after reporting a failure.
func runDocBlock(t *testing.T, b docBlock) [][]string {
	t.Helper()
	dir := t.TempDir()
	abs, err := filepath.Abs(filepath.Join(repoRoot, "scripts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, "scripts")); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	}()
	outs := make([][]string, len(b.cmds))
	for i, c := range b.cmds {
		want := 0
		if i == len(b.cmds)-1 {
			want = b.exit
		}
		code, stdout, stderr := dsbench(t, nil, c.args...)
		if code != want {
			t.Errorf("%s:%d: `dsbench %s` exited %d, the page expects %d\n%s", rel(b.file), b.line, strings.Join(c.args, " "), code, want, stderr)
			return nil
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimRight(stdout, "\n"), "\n") {
			// The tour also runs this package's test-only family.
			if !strings.Contains(l, "testonly/") {
				lines = append(lines, l)
			}
		}
		if b.firstTable {
			for k, l := range lines {
				if strings.TrimSpace(l) == "" {
					lines = lines[:k]
					break
				}
			}
		}
		if b.head > 0 && len(lines) > b.head {
			lines = lines[:b.head]
		}
		outs[i] = lines
	}
	return outs
}

// renderDocBlock writes a block's content back with the new outputs.
func renderDocBlock(b docBlock, outs [][]string) []string {
	var lines []string
	for i, c := range b.cmds {
		lines = append(lines, c.text...)
		if len(c.expect) > 0 {
			lines = append(lines, outs[i]...)
		}
	}
	return lines
}

// matchOutput compares expected and actual lines token by token and returns
// "" when they match, else what differs first.
func matchOutput(expect, actual []string) string {
	var e, a [][]string
	for _, l := range expect {
		if toks := docTokens(l); len(toks) > 0 {
			e = append(e, toks)
		}
	}
	for _, l := range actual {
		if toks := docTokens(l); len(toks) > 0 {
			a = append(a, toks)
		}
	}
	for i := range max(len(e), len(a)) {
		if i >= len(e) {
			return fmt.Sprintf("more lines than the page shows, from %q", strings.Join(a[i], " "))
		}
		if i >= len(a) {
			return fmt.Sprintf("fewer lines: %q is missing", strings.Join(e[i], " "))
		}
		if !sameTokens(e[i], a[i]) {
			return fmt.Sprintf("line %d: page %q, now %q", i+1, strings.Join(e[i], " "), strings.Join(a[i], " "))
		}
	}
	return ""
}

// docTokens splits a line of a table (box drawing or Markdown) or of text
// into its tokens.
func docTokens(line string) []string {
	return strings.FieldsFunc(line, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("│┌┐└┘├┤┬┴┼─|", r)
	})
}

func sameTokens(e, a []string) bool {
	if len(e) != len(a) {
		return false
	}
	wall := false
	for _, tok := range e {
		if strings.HasPrefix(tok, "wall") {
			wall = true
		}
	}
	for i := range e {
		if e[i] == a[i] {
			continue
		}
		if wall && isFigure(e[i]) && isFigure(a[i]) {
			continue
		}
		return false
	}
	return true
}

// isFigure reports whether a token is a measured number ("1.2ms", "8.52M", "0.927").
func isFigure(tok string) bool {
	return tok != "" && (unicode.IsDigit(rune(tok[0])) || (len(tok) > 1 && tok[0] == '-' && unicode.IsDigit(rune(tok[1]))))
}

// shellWords splits a command line as sh would for the quoting the pages
// use (single and double quotes, backslash escapes); pipes, redirections and
// substitutions are refused.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				if s[j] == '$' || s[j] == '`' {
					return nil, fmt.Errorf("substitution in %q", s)
				}
				cur.WriteByte(s[j])
			}
			if j == len(s) {
				return nil, fmt.Errorf("unclosed double quote")
			}
			i = j
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.IndexByte("|&;<>$`()", c) >= 0:
			return nil, fmt.Errorf("shell syntax %q", c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	got, err := shellWords(`dsbench run hashing/ring -p 'vnodes=10|100' -w "ycsb-a keys=zipf" a\ b`)
	want := []string{"dsbench", "run", "hashing/ring", "-p", "vnodes=10|100", "-w", "ycsb-a keys=zipf", "a b"}
	if err != nil || strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("shellWords = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"dsbench run | head", "dsbench run > x", "dsbench 'unclosed", `dsbench "$HOME"`} {
		if _, err := shellWords(bad); err == nil {
			t.Errorf("shellWords(%q) accepted shell syntax", bad)
		}
	}
}

// TestMatchOutputCatchesChanges shows the checker fails on a changed figure
// and forgives only wall-clock figures and layout.
func TestMatchOutputCatchesChanges(t *testing.T) {
	page := []string{
		"┌─────┬──────────┬──────────────┬────────┐",
		"│ r1  │ a/b      │ virtual/open │ 1.23ms │",
		"│ r2  │ c/d      │ wall/closed  │  150ns │",
	}
	same := []string{
		"┌────┬─────┬──────────────┬───────┐",
		"│ r1 │ a/b │ virtual/open │ 1.23ms │",
		"│ r2 │ c/d │ wall/closed  │ 171ns │",
	}
	if msg := matchOutput(page, same); msg != "" {
		t.Errorf("layout and a wall figure should not matter: %s", msg)
	}
	for name, now := range map[string][]string{
		"virtual figure": {page[0], "│ r1 │ a/b │ virtual/open │ 1.24ms │", page[2]},
		"wall label":     {page[0], page[1], "│ r2 │ c/e │ wall/closed │ 150ns │"},
		"row missing":    {page[0], page[1]},
		"row added":      append(append([]string{}, page...), "│ r3 │ e/f │ virtual/open │ 2ms │"),
	} {
		if matchOutput(page, now) == "" {
			t.Errorf("%s: a changed output matched the page", name)
		}
	}
}

// TestReadmeListsEveryTarget keeps the README's table of targets in step
// with the registry: every target once, its clocks (default first), and a
// link to notes that exist.
func TestReadmeListsEveryTarget(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "| `") {
			continue
		}
		cells := splitMarkdownRow(l)
		name := strings.Trim(strings.TrimSuffix(strings.TrimSpace(cells[0]), " *(tour)*"), "`")
		if !strings.Contains(name, "/") || len(cells) != 4 {
			continue
		}
		if _, dup := rows[name]; dup {
			t.Errorf("README lists %s twice", name)
		}
		rows[name] = cells
	}
	for _, name := range algorithms.Names() {
		info, err := algorithms.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if info.Family() == "testonly" {
			continue
		}
		cells, ok := rows[name]
		if !ok {
			t.Errorf("README's table of targets does not list %s", name)
			continue
		}
		delete(rows, name)
		var clocks []string
		for _, c := range info.Clocks() {
			clocks = append(clocks, string(c))
		}
		if got, want := strings.TrimSpace(cells[1]), strings.Join(clocks, ", "); got != want {
			t.Errorf("README: %s clocks %q, the target says %q", name, got, want)
		}
		if tour := strings.Contains(cells[0], "*(tour)*"); tour != info.Tour {
			t.Errorf("README: %s tour mark %v, the registry says %v", name, tour, info.Tour)
		}
		link := cells[3]
		open, close := strings.Index(link, "]("), strings.LastIndex(link, ")")
		if open < 0 || close < open {
			t.Errorf("README: %s has no link to its notes: %q", name, link)
			continue
		}
		if _, err := os.Stat(filepath.Join(repoRoot, link[open+2:close])); err != nil {
			t.Errorf("README: %s links to notes that do not exist: %v", name, err)
		}
	}
	// Target aliases have rows too, with their target's clocks.
	for _, a := range algorithms.Aliases() {
		if _, ok := rows[a.Name]; !ok {
			t.Errorf("README's table of targets does not list the alias %s", a.Name)
		}
		delete(rows, a.Name)
	}
	for name := range rows {
		t.Errorf("README lists %s, which is not a registered target", name)
	}
}

// splitMarkdownRow splits "| a | b \| c |" into its cells, honouring escaped pipes.
func splitMarkdownRow(l string) []string {
	l = strings.TrimSpace(l)
	l = strings.TrimPrefix(strings.TrimSuffix(l, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(l); i++ {
		if l[i] == '\\' && i+1 < len(l) && l[i+1] == '|' {
			cur.WriteByte('|')
			i++
			continue
		}
		if l[i] == '|' {
			cells = append(cells, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(l[i])
	}
	return append(cells, cur.String())
}
