package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/bench"
)

// The release is bench.Version, recorded in every result; set it with
// -ldflags "-X github.com/dsbench/dsbench/bench.Version=…".

func init() { commands = append(commands, newVersionCmd) }

func newVersionCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the dsbench version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(a.Stdout, versionLine())
			return nil
		},
	}
}

// versionLine is what `dsbench version` and `dsbench --version` print.
func versionLine() string {
	c := bench.Commit()
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("dsbench %s (commit %s, %s, %s/%s)", bench.Version, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
