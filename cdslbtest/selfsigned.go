package cdslbtest

import (
	"errors"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
)

// SelfSigned returns a self-signed ECDSA P-256 certificate for domain and
// its PKCS #8 private key, both PEM, valid from an hour ago for a year: what
// a program or a test needs to upload a certificate, without a Server. The
// domain is the certificate's common name and only DNS name; an empty one,
// or one with spaces or control characters, is an error.
func SelfSigned(domain string) (certPEM, keyPEM string, err error) {
	return selfSigned(domain, time.Now())
}

// selfSigned makes SelfSigned's certificate, valid from an hour before now.
func selfSigned(domain string, now time.Time) (certPEM, keyPEM string, err error) {
	certPEM, keyPEM, err = fakelb.SelfSigned(domain, now)
	if err != nil {
		err = errors.New("cdslbtest: SelfSigned: " + err.Error())
	}
	return certPEM, keyPEM, err
}
