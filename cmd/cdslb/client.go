package main

import (
	"fmt"
	"log/slog"
	"math"
	"strings"

	"github.com/cdsgo/cdslb"
)

// credentials are a key pair and an endpoint, and where they came from.
type credentials struct {
	id, secret, endpoint string
	source               string // for errors: "profile x", "the environment"
	endpointFrom         string // for errors: "--endpoint", "CDS_API_HOST" or the source
}

// credentials resolves the key pair and the endpoint: --profile, then the
// environment, then the "default" profile; --endpoint wins over all. A key
// pair is never made of two sources: the first that sets either half gives
// both, and an error names the half it lacks.
func (a *app) credentials() (credentials, error) {
	var sources []credentials
	var cfg *configFile
	readCfg := func() error {
		if cfg != nil {
			return nil
		}
		var err error
		cfg, _, err = a.readConfig()
		return err
	}
	if a.profile != "" {
		if err := readCfg(); err != nil {
			return credentials{}, err
		}
		p, ok := cfg.Profiles[a.profile]
		if !ok {
			path, _ := a.configPath()
			return credentials{}, usageError{fmt.Errorf("no profile %q in %s; add it with: cdslb config set-profile --profile %s --access-key-id ID < secret-file", a.profile, path, shellQuote(a.profile))}
		}
		sources = append(sources, credentials{p.AccessKeyID, p.AccessKeySecret, p.Endpoint, "profile " + a.profile, "profile " + a.profile})
	}
	env := credentials{a.env["CDS_SECRET_ID"], a.env["CDS_SECRET_KEY"], a.env["CDS_API_HOST"], "the environment (CDS_SECRET_ID, CDS_SECRET_KEY)", "CDS_API_HOST"}
	if blank(env.id) && blank(env.secret) && (!blank(a.env["CDS_ACCESS_KEY_ID"]) || !blank(a.env["CDS_ACCESS_KEY_SECRET"])) {
		env = credentials{a.env["CDS_ACCESS_KEY_ID"], a.env["CDS_ACCESS_KEY_SECRET"], a.env["CDS_API_HOST"], "the environment (CDS_ACCESS_KEY_ID, CDS_ACCESS_KEY_SECRET)", "CDS_API_HOST"}
	}
	sources = append(sources, env)
	if a.profile == "" && blank(env.id) && blank(env.secret) {
		if err := readCfg(); err != nil {
			return credentials{}, err
		}
		if p, ok := cfg.Profiles["default"]; ok {
			sources = append(sources, credentials{p.AccessKeyID, p.AccessKeySecret, p.Endpoint, "profile default", "profile default"})
		}
	}
	for _, s := range sources {
		if blank(s.id) && blank(s.secret) {
			continue
		}
		switch {
		case blank(s.id):
			return credentials{}, usageError{fmt.Errorf("%s sets the access key secret but not its id", s.source)}
		case blank(s.secret):
			return credentials{}, usageError{fmt.Errorf("%s sets the access key id but not its secret", s.source)}
		}
		if a.endpoint != "" {
			s.endpoint, s.endpointFrom = a.endpoint, "--endpoint"
		}
		return s, nil
	}
	path, _ := a.configPath()
	return credentials{}, usageError{fmt.Errorf("no credentials: set CDS_SECRET_ID and CDS_SECRET_KEY, or write a profile to %s with cdslb config set-profile", path)}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// client makes the library's client from the credentials and the global
// flags.
func (a *app) client() (*cdslb.Client, error) {
	if err := a.checkOutput(); err != nil {
		return nil, err
	}
	cred, err := a.credentials()
	if err != nil {
		return nil, err
	}
	opts := []cdslb.Option{cdslb.WithUserAgent("cdslb-cli/" + cliVersion())}
	if ep := strings.TrimSpace(cred.endpoint); ep != "" {
		if !strings.Contains(ep, "://") {
			ep = "https://" + ep // a host, as CDS_API_HOST may hold
		}
		opts = append(opts, cdslb.WithEndpoint(ep))
	}
	if a.debug {
		opts = append(opts, cdslb.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	switch {
	case a.rateLimit < 0 || math.IsNaN(a.rateLimit) || math.IsInf(a.rateLimit, 0):
		return nil, usageError{fmt.Errorf("--rate-limit %v: want a positive number of requests per second, or 0 for none", a.rateLimit)}
	case a.rateLimit > 0:
		opts = append(opts, cdslb.WithRateLimit(a.rateLimit, max(1, int(a.rateLimit))))
	}
	c, err := cdslb.NewClient(cred.id, cred.secret, opts...)
	if err != nil {
		source, msg := cred.source, strings.TrimPrefix(err.Error(), "cdslb: ") // the CLI says "cdslb:" once
		if after, ok := strings.CutPrefix(msg, "WithEndpoint: "); ok {
			source, msg = cred.endpointFrom, after // where the refused value came from
		}
		return nil, usageError{fmt.Errorf("%s: %s", source, msg)}
	}
	return c, nil
}
