package cdslbtest

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted stands for the secret wherever a Server is printed.
const redacted = "REDACTED"

// String describes the server by URL and access key id, never the secret,
// as cdslb.Client does. It and the other printing methods have value
// receivers, so that a copy of a Server prints the same way.
func (s Server) String() string {
	return "cdslbtest.Server{URL: " + s.URL + ", AccessKeyID: " + s.AccessKeyID() + ", AccessKeySecret: " + redacted + "}"
}

// GoString is String, so that %#v does not reveal the secret either.
func (s Server) GoString() string { return s.String() }

// Format prints String for every verb.
func (s Server) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, s.String())
	}
}

// LogValue records the URL and access key id only.
func (s Server) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", s.URL), slog.String("access_key_id", s.AccessKeyID()))
}
