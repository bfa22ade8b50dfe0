package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"
)

// profile is one set of credentials in the config file.
type profile struct {
	AccessKeyID     string `yaml:"AccessKeyID,omitempty"`
	AccessKeySecret string `yaml:"AccessKeySecret,omitempty"`
	Endpoint        string `yaml:"Endpoint,omitempty"`
}

// configFile is the config file: profiles by name.
type configFile struct {
	Profiles map[string]profile `yaml:"Profiles"`
}

// configPath is where the profiles live: $CDSLB_CONFIG when set, else
// config.yaml in the cdslb folder of the user's config directory
// (os.UserConfigDir: $XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application
// Support on macOS, %AppData% on Windows).
func (a *app) configPath() (string, error) {
	if p := a.env["CDSLB_CONFIG"]; p != "" {
		return p, nil
	}
	var dir string
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		dir = d
	default: // read the injected environment, as os.UserConfigDir reads the process's
		switch {
		case a.env["XDG_CONFIG_HOME"] != "":
			dir = a.env["XDG_CONFIG_HOME"]
			if !filepath.IsAbs(dir) {
				return "", fmt.Errorf("path in $XDG_CONFIG_HOME is relative")
			}
		case a.env["HOME"] != "":
			dir = filepath.Join(a.env["HOME"], ".config")
		default:
			return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is defined: set CDSLB_CONFIG to the config file's path")
		}
	}
	return filepath.Join(dir, "cdslb", "config.yaml"), nil
}

// readConfig reads the config file; a missing file is an empty one. A file
// that others may read is refused: it holds secrets.
func (a *app) readConfig() (*configFile, string, error) {
	path, err := a.configPath()
	if err != nil {
		return nil, "", err
	}
	cfg := &configFile{Profiles: map[string]profile{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, path, nil
	}
	if err != nil {
		return nil, path, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, path, err
	}
	if mode := info.Mode().Perm(); runtime.GOOS != "windows" && mode&0o077 != 0 {
		return nil, path, usageError{fmt.Errorf("the config file %s holds secrets but others may read it (mode %04o); make it private with: chmod 600 %s", path, mode, shellQuote(path))}
	}
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, path, usageError{fmt.Errorf("the config file %s: %v", path, err)}
	}
	if cfg.Profiles == nil {
		cfg.Profiles = map[string]profile{}
	}
	return cfg, path, nil
}

// writeConfig writes the config file with mode 0600, through a new file
// renamed into place, so that a reader never sees half a file. A config
// file that is a symbolic link (to a dotfiles repository, say) stays one:
// the file it links to is replaced.
func writeConfig(path string, cfg *configFile) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// shellQuote quotes s for a POSIX shell unless it needs no quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
