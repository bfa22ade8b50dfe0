package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/internal/fakeserve"
	"github.com/spf13/cobra"
)

func (a *app) fakeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "fake [flags]",
		Short: "Serve the fake CDS load-balancer service on loopback, and print its export line",
		Long: `Serve the fake CDS load-balancer service (the one behind cdslbtest) on
loopback until interrupted, with the flags of examples/fakeserver; its first
line of output exports CDS_API_HOST, CDS_SECRET_ID and CDS_SECRET_KEY for
this tool and the library. "cdslb fake -help" lists the flags and the fault
kinds.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			err := fakeserve.Run(cmd.Context(), "cdslb fake", args, a.stdout, a.stderr)
			switch fakeserve.ExitStatus("cdslb fake", err, a.stderr) {
			case 0:
				return nil
			case 2:
				return usageError{errReported}
			}
			return fmt.Errorf("%w", errReported)
		},
	}
}

// cliVersion is the module version the binary was built from, or devel.
func cliVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "Print the version of the tool and the library", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := struct{ Version, LibraryVersion, GoVersion, Platform string }{
				cliVersion(), cdslb.Version, runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}
			if err := a.checkOutput(); err != nil {
				return err
			}
			if a.output == "table" {
				fmt.Fprintf(a.stdout, "cdslb %s (library %s, %s, %s)\n", v.Version, v.LibraryVersion, v.GoVersion, v.Platform)
				return nil
			}
			return a.print(v, nil)
		},
	}
}

func (a *app) configCommand() *cobra.Command {
	cfg := group("config", "The profile file: path, set-profile")
	cfg.AddCommand(&cobra.Command{
		Use: "path", Short: "Print the path of the profile file", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := a.configPath()
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, path)
			return nil
		},
	})
	var id string
	set := &cobra.Command{
		Use:   "set-profile --access-key-id ID < secret",
		Short: "Write a profile (--profile, default \"default\") to the profile file, mode 0600",
		Long: `Write a profile to the profile file ("cdslb config path"), creating it with
mode 0600 (its folder 0700) and keeping the other profiles. The secret is
read from standard input, never from a flag, which would show in the
process list and the shell's history:

  cdslb config set-profile --profile prod --access-key-id AKID... < secret.txt

--endpoint saves the profile's endpoint.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if blank(id) {
				return usageErrorf("--access-key-id is required")
			}
			var data []byte
			var err error
			if a.isTerminal(a.stdin) { // one line, ended by Enter
				fmt.Fprint(a.stderr, "Access key secret (it is echoed; end with Enter): ")
				data, err = a.interruptible("-", func() ([]byte, error) {
					line, err := bufio.NewReader(a.stdin).ReadString('\n')
					if errors.Is(err, io.EOF) {
						err = nil
					}
					return []byte(line), err
				})
			} else {
				data, err = a.readFile("-")
			}
			if err != nil {
				return err
			}
			secret := strings.TrimSpace(string(data))
			if secret == "" || strings.ContainsAny(secret, "\r\n") {
				return usageErrorf("standard input must hold the access key secret, on one line")
			}
			file, path, err := a.readConfig()
			if err != nil {
				return err
			}
			name := a.profile
			if name == "" {
				name = "default"
			}
			file.Profiles[name] = profile{AccessKeyID: strings.TrimSpace(id), AccessKeySecret: secret, Endpoint: a.endpoint}
			if err := writeConfig(path, file); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "profile %s written to %s\n", name, path)
			return nil
		},
	}
	set.Flags().StringVar(&id, "access-key-id", "", "the access key id")
	cfg.AddCommand(set)
	return cfg
}
