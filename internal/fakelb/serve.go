package fakelb

import (
	"crypto/rand"
	"net/http"
	"time"
)

// NewKeyPair returns a random access key pair for a fake to accept.
func NewKeyPair() (accessKeyID, accessKeySecret string) {
	return "AKID" + rand.Text()[:16], rand.Text()
}

// HTTPServer returns an http.Server that serves h with read and idle
// timeouts, so that a client that sends slowly, or opens a connection and
// says nothing, cannot hold it: a request must arrive whole within 30
// seconds (its headers within 10) and an idle connection is closed after a
// minute. It sets no WriteTimeout, which would cut injected latency short;
// a server facing a network sets one above the longest latency it injects.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       time.Minute,
	}
}
