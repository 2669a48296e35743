package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/dsbench/dsbench/results"
)

// The Kubernetes Indexed Job example (scripts/k8s/dsbench-shards.yaml)
// keeps working: each pod's command, with its JOB_COMPLETION_INDEX, is a
// valid dsbench command; run here for 2000 ops instead of its duration,
// the completions' results merge into one run of them all.
func TestK8sExampleCommand(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "scripts/k8s/dsbench-shards.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Spec struct {
			Completions int `yaml:"completions"`
			Template    struct {
				Spec struct {
					SecurityContext struct {
						FSGroup int `yaml:"fsGroup"`
					} `yaml:"securityContext"`
					Containers []struct {
						Image   string   `yaml:"image"`
						Command []string `yaml:"command"`
						Args    []string `yaml:"args"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.NewDecoder(strings.NewReader(string(data))).Decode(&job); err != nil {
		t.Fatal(err)
	}
	cs := job.Spec.Template.Spec.Containers
	if job.Spec.Completions < 2 || len(cs) != 1 || len(cs[0].Args) != 1 || cs[0].Image != "dsbench:latest" {
		t.Fatalf("the Job's shape changed: %d completions, containers %+v", job.Spec.Completions, cs)
	}
	checkDockerfile(t, job.Spec.Template.Spec.SecurityContext.FSGroup)
	dir := t.TempDir()
	var files []string
	for k := range job.Spec.Completions {
		line := strings.ReplaceAll(cs[0].Args[0], "${JOB_COMPLETION_INDEX}", strconv.Itoa(k))
		line = strings.ReplaceAll(line, "/results/", dir+"/")
		words, err := shellWords(line)
		if err != nil || len(words) < 2 || words[0] != "dsbench" {
			t.Fatalf("pod %d's command %q: %v", k, line, err)
		}
		args := words[1:]
		for i, a := range args {
			if a == "--duration" {
				args[i], args[i+1] = "--ops", "2000"
			}
		}
		if code, _, errs := dsbench(t, nil, args...); code != 0 {
			t.Fatalf("pod %d: dsbench %s: exit %d: %s", k, strings.Join(args, " "), code, errs)
		}
		files = append(files, filepath.Join(dir, fmt.Sprintf("shard-%d.json", k)))
	}
	all := filepath.Join(dir, "all.json")
	if code, _, errs := dsbench(t, nil, append(append([]string{"merge"}, files...), "-o", all)...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	doc, err := results.ReadFile(all)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 || doc.Runs[0].Ops != 2000 || doc.Runs[0].Shard != "" {
		t.Errorf("merged: %d runs, ops %d, shard %q; want one run of 2000 ops", len(doc.Runs), doc.Runs[0].Ops, doc.Runs[0].Shard)
	}
}

// checkDockerfile checks what a docker build would find out late, with no
// Docker daemon here (.ci/run builds the image, or runs its go build step
// when there is no daemon): the Go image is the go.mod's Go release, the
// -X flag names a variable that exists (the linker ignores a missing one),
// the package built is the CLI, and the image's user is the group the Job
// gives its results volume.
func checkDockerfile(t *testing.T, fsGroup int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatalf("the image the Job names is built by the repository's Dockerfile: %v", err)
	}
	df := strings.ReplaceAll(string(data), "\\\n", " ")
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(mod))
	image := regexp.MustCompile(`(?m)^FROM golang:(\d+\.\d+)\S* AS build$`).FindStringSubmatch(df)
	if goVersion == nil || image == nil || goVersion[1] != image[1] {
		t.Errorf("the build image's Go %v is not go.mod's %v", image, goVersion)
	}
	build := regexp.MustCompile(`(?m)^RUN CGO_ENABLED=0 go build .*-X (\S+)\.(\w+)=\$\{VERSION\}.* (\./cmd/dsbench)$`).FindStringSubmatch(df)
	if build == nil {
		t.Fatalf("no static build of ./cmd/dsbench with -X …=${VERSION} in the Dockerfile")
	}
	pkg := strings.TrimPrefix(build[1], "github.com/dsbench/dsbench/")
	files, err := parser.ParseDir(token.NewFileSet(), filepath.Join(repoRoot, pkg), nil, 0)
	found := false
	for _, p := range files {
		for _, f := range p.Files {
			if o := f.Scope.Lookup(build[2]); o != nil && o.Kind.String() == "var" {
				found = true
			}
		}
	}
	if err != nil || !found {
		t.Errorf("-X %s.%s: no such package variable (%v)", build[1], build[2], err)
	}
	user := regexp.MustCompile(`(?m)^RUN useradd .*--uid (\d+) dsbench .*chown dsbench /results`).FindStringSubmatch(df)
	if user == nil || !regexp.MustCompile(`(?m)^USER dsbench$`).MatchString(df) || user[1] != strconv.Itoa(fsGroup) {
		t.Errorf("the image runs as user %v, the Job's volume group is %d: the pods could not write /results", user, fsGroup)
	}
}
