package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// app is one run of the command: its streams, its environment and the
// global flags. Tests make one per run, so runs share nothing.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	env    map[string]string

	// Replaced in tests.
	now        func() time.Time
	isTerminal func(any) bool

	// Global flags.
	endpoint    string
	profile     string
	output      string
	noHeaders   bool
	debug       bool
	rateLimit   float64
	timeout     time.Duration
	pollEvery   time.Duration
	showPrivKey bool
	// notFoundGrace is lb wait's --not-found-grace, the library's default
	// (a minute) for the other waits.
	notFoundGrace time.Duration
}

// run runs the command line args and returns the exit status. It reads
// the environment from env (as os.Environ gives it) and nothing else from
// the process, so tests call it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	return newApp(ctx, stdin, stdout, stderr, env).run(args)
}

// newApp makes one run's app, with the real clock and terminal check.
func newApp(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, env []string) *app {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, env: map[string]string{},
		now: time.Now, isTerminal: isTerminal}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			a.env[k] = v
		}
	}
	return a
}

func (a *app) run(args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(a.ctx)
	if err == nil {
		return exitOK
	}
	if strings.HasPrefix(err.Error(), "unknown command") {
		err = usageError{err}
	}
	code := exitCode(err)
	if !errors.Is(err, errPlanHasChanges) && !errors.Is(err, errReported) {
		fmt.Fprintln(a.stderr, "cdslb: "+strings.TrimPrefix(err.Error(), "cdslb: "))
		if code == exitUnknown {
			fmt.Fprintln(a.stderr, "cdslb: the change may have been carried out: look (cdslb lb list, cdslb listeners list) before retrying")
		}
	}
	return code
}

// errReported is an error that has been reported already; its exit status
// is carried by the error it wraps.
var errReported = errors.New("reported")

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "cdslb",
		Short: "The command-line tool of the CDS load balancer",
		Long: `cdslb manages CDS (CapitalOnline) load balancers: instances, listeners,
custom haproxy.cfg, certificates and metrics, for shell scripts, CI jobs
and tools written in other languages. It signs, retries and waits as the
cdslb Go library does; "cdslb fake" serves a fake service to try it on.

Credentials come from, in order: --profile, the environment
(CDS_SECRET_ID and CDS_SECRET_KEY, or CDS_ACCESS_KEY_ID and
CDS_ACCESS_KEY_SECRET; CDS_API_HOST for the endpoint), then the "default"
profile of the file "cdslb config path" prints. --endpoint wins over all.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(a.stdin) // before the completion command, which keeps the writer it finds
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w\nRun '%s --help' for usage", err, c.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.endpoint, "endpoint", "", "API endpoint URL, such as https://cdsapi-us.capitalonline.net (default: the profile's, CDS_API_HOST or the China mainland endpoint)")
	pf.StringVar(&a.profile, "profile", "", `profile of the config file to use (default: the environment, then the "default" profile)`)
	pf.StringVarP(&a.output, "output", "o", "table", "output format: table, json or yaml")
	pf.BoolVar(&a.noHeaders, "no-headers", false, "print tables without their header line")
	pf.BoolVar(&a.debug, "debug", false, "write the library's debug records (each attempt, redacted) to stderr")
	pf.Float64Var(&a.rateLimit, "rate-limit", 0, "send at most N requests per second (0: no limit)")

	root.AddCommand(a.zonesCommand(), a.sizesCommand(), a.lbCommand(), a.listenersCommand(),
		a.haproxyCommand(), a.certsCommand(), a.metricsCommand(), a.fakeCommand(),
		a.configCommand(), a.versionCommand())
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Short = "Print a shell completion script (bash, zsh, fish, powershell)"
		}
	}
	defaultHelp := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		defaultHelp(c, args)
		if c == root {
			fmt.Fprint(c.OutOrStdout(), "\nAll commands:\n"+commandTree(root)+"\n"+exitHelpSummary)
		}
	})
	wrapArgs(root)
	return root
}

// commandTree lists every runnable command under c, one per line.
func commandTree(c *cobra.Command) string {
	var b strings.Builder
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			if sub.Runnable() && !sub.HasSubCommands() {
				fmt.Fprintf(&b, "  %-55s %s\n", strings.TrimPrefix(sub.CommandPath(), "cdslb ")+argsOf(sub), sub.Short)
			}
			walk(sub)
		}
	}
	walk(c)
	return b.String()
}

// argsOf is the part of a command's Use line after its name.
func argsOf(c *cobra.Command) string {
	if _, rest, ok := strings.Cut(c.Use, " "); ok {
		return " " + rest
	}
	return ""
}

// wrapArgs makes every wrong number of arguments a usage error (exit 4).
func wrapArgs(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{fmt.Errorf("%s: %w\nUsage: %s", strings.TrimPrefix(cmd.CommandPath(), "cdslb "), err, cmd.UseLine())}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}

// group is a command that only holds others: run with an argument it is
// an unknown command (exit status 4), without one it prints its help.
func group(use, short string) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q\nRun '%s --help' for usage", args[0], c.CommandPath(), c.CommandPath())
			}
			return c.Help()
		}}
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
