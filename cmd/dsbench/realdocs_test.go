package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/real/driver/servertest"
	"github.com/dsbench/dsbench/results"
)

// The README's "from model to production" commands run as written once
// scripts/servers/*.sh have started the servers, shortened (--ops 300
// instead of --duration, a smaller --load): each gives one run of the model
// and one of the real system, with no error. Without the servers the test
// skips naming them (fails under DSBENCH_REQUIRE_SERVERS=1, as in CI).
func TestReadmeModelToProduction(t *testing.T) {
	for _, s := range []struct{ name, script, addr string }{
		{"Redis", "redis", "127.0.0.1:6379"},
		{"ZooKeeper", "zookeeper", "127.0.0.1:2181"},
		{"PostgreSQL", "postgres", "127.0.0.1:5432"},
		{"a three-member etcd cluster (etcd.sh cluster start)", "etcd", "127.0.0.1:12379"},
	} {
		servertest.NeedServer(t, s.name, s.script, s.addr)
	}
	cmds := readmeRealCommands(t)
	if len(cmds) != 4 {
		t.Fatalf("found %d `dsbench run … real/…` commands in the README's real-targets section, want 4: %q", len(cmds), cmds)
	}
	dir := t.TempDir()
	for i, line := range cmds {
		words, err := shellWords(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		args := shorten(words[1:])
		out := filepath.Join(dir, "run.json")
		args = append(args, "-q", "-o", out)
		if code, _, errs := dsbench(t, nil, args...); code != 0 {
			t.Fatalf("command %d: dsbench %s: exit %d: %s", i, strings.Join(args, " "), code, errs)
		}
		doc, err := results.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Runs) != 2 || !strings.HasPrefix(doc.Runs[1].Target, "real/") || strings.HasPrefix(doc.Runs[0].Target, "real/") {
			b, _ := json.Marshal(doc.Runs)
			t.Fatalf("command %d: want a model then a real target, got %.300s", i, b)
		}
		for _, r := range doc.Runs {
			if r.Ops == 0 || r.Errors != 0 {
				t.Errorf("command %d: %s ran %d ops with %d errors (%s)", i, r.Target, r.Ops, r.Errors, r.FirstError)
			}
		}
	}
}

// readmeRealCommands returns the `dsbench run` commands of the README's
// first shell block after the real targets' heading, continuations joined.
func readmeRealCommands(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "From model to production")
	if i < 0 {
		t.Fatal(`README.md has no "From model to production" section`)
	}
	text = text[i:]
	start := strings.Index(text, "```sh\n")
	if start < 0 {
		t.Fatal("no shell block in the README's real-targets section")
	}
	block := text[start+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	var cmds []string
	for _, l := range strings.Split(strings.ReplaceAll(block, "\\\n", " "), "\n") {
		if strings.HasPrefix(l, "dsbench run ") {
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// shorten turns a run of seconds into a run of 300 ops, loading 2000 keys.
func shorten(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--duration", "-d":
			out = append(out, "--ops", "300")
			i++
		case "--load":
			out = append(out, "--load", "2000")
			i++
		default:
			out = append(out, args[i])
		}
	}
	return out
}
