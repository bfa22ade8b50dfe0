package main

import (
	"strings"
	"testing"
)

// No output of any command, --debug's records included, holds the access
// key secret or a private key: a run of every kind of command is searched.
// --show-private-key is the one way to print a key.
func TestSecretsAppearInNoOutput(t *testing.T) {
	e, lb := seeded(t)
	secret := e.srv.AccessKeySecret()
	certPEM, keyPEM := e.srv.NewCertificate("secret.example")
	cert, key := file(t, "c.pem", certPEM), file(t, "k.pem", keyPEM)
	keyBody := strings.Split(keyPEM, "\n")[1] // a line of the key's base64

	var all strings.Builder
	runs := [][]string{
		{"certs", "upload", "--name", "s2", "--cert", cert, "--key", key},
		{"certs", "ensure", "--name", "s", "--cert", cert, "--key", key},
		{"certs", "list"},
		{"lb", "list"},
		{"lb", "get", lb.InstanceUUID},
		{"listeners", "list", lb.InstanceUUID},
		{"listeners", "apply", lb.InstanceUUID, "-f", file(t, "set.yaml", listenersYAML)},
		{"zones", "list"},
		{"lb", "get", "missing"},
		{"lb", "create", "-f", file(t, "c.yaml", createYAML), "--wait"},
	}
	all.WriteString(e.ok("certs", "upload", "--name", "s", "--cert", cert, "--key", key, "--debug"))
	var certID string
	for _, c := range e.srv.Certificates() {
		if c.CertificateName == "s" {
			certID = c.CertificateID
		}
	}
	for _, format := range []string{"table", "json", "yaml"} {
		runs = append(runs, []string{"certs", "get", certID, "-o", format})
	}
	for _, args := range runs {
		for _, debug := range []bool{false, true} {
			if debug {
				args = append(args, "--debug")
			}
			r := e.run(args...)
			all.WriteString(r.stdout + r.stderr)
		}
	}
	out := all.String()
	contains(t, out, "REDACTED", "DescribeZones") // the runs printed keys and debug records
	lacks(t, out, secret, keyBody, "PRIVATE KEY-----")

	contains(t, e.ok("certs", "get", certID, "-o", "json", "--show-private-key"), keyBody)
	contains(t, e.ok("certs", "get", certID, "-o", "yaml", "--show-private-key"), keyBody)
}
