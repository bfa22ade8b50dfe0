package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// noEnvCredentials drops the CDS_* variables, keeping HOME.
func noEnvCredentials(e *env) {
	var keep []string
	for _, kv := range e.vars {
		if !strings.HasPrefix(kv, "CDS_") {
			keep = append(keep, kv)
		}
	}
	e.vars = keep
}

// config path follows XDG_CONFIG_HOME, then HOME, and CDSLB_CONFIG over both.
func TestConfigPath(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the user config directory is the system's there")
	}
	e := &env{t: t, vars: []string{"HOME=/home/u"}}
	if got := strings.TrimSpace(e.ok("config", "path")); got != "/home/u/.config/cdslb/config.yaml" {
		t.Errorf("HOME: %s", got)
	}
	e.vars = append(e.vars, "XDG_CONFIG_HOME=/xdg")
	if got := strings.TrimSpace(e.ok("config", "path")); got != "/xdg/cdslb/config.yaml" {
		t.Errorf("XDG_CONFIG_HOME: %s", got)
	}
	e.vars = append(e.vars, "CDSLB_CONFIG=/etc/cdslb.yaml")
	if got := strings.TrimSpace(e.ok("config", "path")); got != "/etc/cdslb.yaml" {
		t.Errorf("CDSLB_CONFIG: %s", got)
	}
}

// set-profile writes the file with mode 0600, reading the secret from
// stdin; the profile then signs requests without any CDS_ variable.
func TestSetProfileWritesAPrivateFileThatWorks(t *testing.T) {
	e := newEnv(t)
	id, secret, url := e.srv.AccessKeyID(), e.srv.AccessKeySecret(), e.srv.URL
	noEnvCredentials(e)
	r := e.run("zones", "list")
	expect(t, r, 4)
	contains(t, r.stderr, "no credentials", "set-profile")

	e.stdin = secret + "\n"
	r = e.run("config", "set-profile", "--access-key-id", id, "--endpoint", url)
	expect(t, r, 0)
	lacks(t, r.stdout+r.stderr, secret)
	path := strings.TrimSpace(e.ok("config", "path"))
	info, err := os.Stat(path)
	check(t, err)
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	contains(t, e.ok("zones", "list"), "CN_Hongkong_A")

	// A named profile, chosen with --profile; the default stays.
	e.stdin = "wrong-secret\n"
	e.ok("config", "set-profile", "--profile", "other", "--access-key-id", id, "--endpoint", url)
	expect(t, e.run("zones", "list", "--profile", "other"), 1) // the fake refuses the signature
	contains(t, e.ok("zones", "list"), "CN_Hongkong_A")
	expect(t, e.run("zones", "list", "--profile", "missing"), 4)
}

// A profile file that others may read is refused, with the fix.
func TestWorldReadableProfileIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	e := newEnv(t)
	id, secret, url := e.srv.AccessKeyID(), e.srv.AccessKeySecret(), e.srv.URL
	noEnvCredentials(e)
	path := strings.TrimSpace(e.ok("config", "path"))
	check(t, os.MkdirAll(filepath.Dir(path), 0o700))
	check(t, os.WriteFile(path, []byte("Profiles:\n  default:\n    AccessKeyID: "+id+"\n    AccessKeySecret: "+secret+"\n    Endpoint: "+url+"\n"), 0o600))
	contains(t, e.ok("zones", "list"), "CN_Hongkong_A")
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		check(t, os.Chmod(path, mode))
		r := e.run("zones", "list")
		expect(t, r, 4)
		contains(t, r.stderr, "chmod 600 "+path)
		lacks(t, r.stderr, secret)
		if n := e.srv.Requests("DescribeZones"); n != 1 {
			t.Fatalf("%d requests: a refused profile was used", n)
		}
	}
}

// Flags, then the environment, then the profile file; a key pair is never
// made of two sources.
func TestCredentialPrecedence(t *testing.T) {
	e := newEnv(t)
	id, secret, url := e.srv.AccessKeyID(), e.srv.AccessKeySecret(), e.srv.URL
	e.stdin = "wrong\n"
	e.ok("config", "set-profile", "--access-key-id", "AKWRONG", "--endpoint", "http://127.0.0.1:1")
	contains(t, e.ok("zones", "list"), "CN_Hongkong_A") // the environment wins over the default profile

	// The vendor's variable names, as the library reads them.
	noEnvCredentials(e)
	e.vars = append(e.vars, "CDS_ACCESS_KEY_ID="+id, "CDS_ACCESS_KEY_SECRET="+secret, "CDS_API_HOST="+url)
	contains(t, e.ok("zones", "list"), "CN_Hongkong_A")

	// Half a pair is an error naming the half missing, not a mix.
	noEnvCredentials(e)
	e.vars = append(e.vars, "CDS_SECRET_ID="+id, "CDS_API_HOST="+url)
	r := e.run("zones", "list")
	expect(t, r, 4)
	contains(t, r.stderr, "not its secret")

	// --endpoint wins over CDS_API_HOST.
	noEnvCredentials(e)
	e.vars = append(e.vars, "CDS_SECRET_ID="+id, "CDS_SECRET_KEY="+secret, "CDS_API_HOST=http://127.0.0.1:1")
	contains(t, e.ok("zones", "list", "--endpoint", url), "CN_Hongkong_A")
	// A refused endpoint is named by where it came from, with "cdslb:" once.
	r = e.run("zones", "list", "--endpoint", "ftp://x")
	expect(t, r, 4)
	if want := "cdslb: --endpoint: \"ftp://x\" is not an http or https URL\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	e.vars = append(e.vars, "CDS_API_HOST=ftp://y")
	r = e.run("zones", "list")
	expect(t, r, 4)
	if want := "cdslb: CDS_API_HOST: \"ftp://y\" is not an http or https URL\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
}

// On a terminal set-profile reads one line, so Enter ends the secret; a
// file of several lines on stdin is refused.
func TestSetProfileReadsOneLineOnATerminal(t *testing.T) {
	e := newEnv(t)
	e.term, e.stdin = true, "s3cret\nmore typed after\n"
	r := e.run("config", "set-profile", "--access-key-id", "AK")
	expect(t, r, 0)
	contains(t, r.stderr, "Access key secret")
	e.term = false
	expect(t, e.run("config", "set-profile", "--access-key-id", "AK"), 4)
}

// A config file that is a symbolic link stays one: set-profile replaces
// the file it links to.
func TestSetProfileKeepsASymlinkedConfig(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges there")
	}
	e := newEnv(t)
	dotfiles := filepath.Join(t.TempDir(), "dotfiles")
	check(t, os.MkdirAll(dotfiles, 0o700))
	target := filepath.Join(dotfiles, "cdslb.yaml")
	check(t, os.WriteFile(target, []byte("Profiles: {}\n"), 0o600))
	link := filepath.Join(t.TempDir(), "config.yaml")
	check(t, os.Symlink(target, link))
	e.vars = append(e.vars, "CDSLB_CONFIG="+link)

	e.stdin = "s3cret\n"
	e.ok("config", "set-profile", "--profile", "work", "--access-key-id", "AKWORK")
	info, err := os.Lstat(link)
	check(t, err)
	if info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the config file is no longer a symbolic link: %v", info.Mode())
	}
	data, err := os.ReadFile(target)
	check(t, err)
	contains(t, string(data), "AKWORK")
}
