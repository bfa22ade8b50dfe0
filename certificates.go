package cdslb

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// CertificateValidity says whether a certificate is still good.
type CertificateValidity int

// The validity states the API reports.
const (
	CertificateExpired  CertificateValidity = 0 // past its end time
	CertificateValid    CertificateValidity = 1 // valid for more than 30 days
	CertificateExpiring CertificateValidity = 2 // valid, but ends within 30 days
)

// String names the state: "expired", "valid" or "expiring", and
// "CertificateValidity(n)" for a value the API does not document.
func (v CertificateValidity) String() string {
	switch v {
	case CertificateExpired:
		return "expired"
	case CertificateValid:
		return "valid"
	case CertificateExpiring:
		return "expiring"
	}
	return "CertificateValidity(" + strconv.Itoa(int(v)) + ")"
}

// Certificate is a TLS certificate stored for HTTPS listeners.
type Certificate struct {
	CertificateID   string
	CertificateName string    // the name given at upload
	CertificateType string    // such as "DV"
	Domain          string    // the domain it is for
	Brand           string    // the issuing CA's product, such as "Encryption Everywhere DV TLS CA - G1"
	Organization    string    // the issuer, such as "DigiCert Inc"
	StartTime       time.Time // valid from
	EndTime         time.Time // valid until
	Validity        CertificateValidity
}

// DescribeCACertificatesRequest has no parameters; a nil request is fine.
type DescribeCACertificatesRequest struct{}

// DescribeCACertificatesResponse lists the account's certificates.
type DescribeCACertificatesResponse struct {
	ResponseMeta
	Certificates []Certificate
}

// DescribeCACertificates lists the account's certificates, without their
// keys. GET; it changes nothing.
func (c *Client) DescribeCACertificates(ctx context.Context, req *DescribeCACertificatesRequest) (*DescribeCACertificatesResponse, error) {
	return describeCACertificates.call(ctx, c, req)
}

// Every certificate listed must have the id that other requests take and
// the name EnsureCertificate compares (certificateWire.check).
var describeCACertificates = declare("DescribeCACertificates", pathLB, reads,
	func(*DescribeCACertificatesRequest, *time.Location) form { return inQuery(nil) },
	func(_ *DescribeCACertificatesRequest, d *list[certificateWire], loc *time.Location) (*DescribeCACertificatesResponse, error) {
		return &DescribeCACertificatesResponse{Certificates: convert(*d, func(w *certificateWire) Certificate { return w.value(loc) })}, nil
	})

// DescribeCACertificateRequest names one certificate.
type DescribeCACertificateRequest struct {
	CertificateID string // required
}

// CertificateDetail is a certificate with its PEM chain and keys. Its
// PrivateKey is secret: fmt verbs, slog and encoding/json show it as
// REDACTED; read the field itself to use it. The exception is fmt's: a
// verb that does not apply skips every printing method, so %p given a
// value (not a pointer) and %w given a value or a pointer (it is no
// error; fmt.Errorf included) print PrivateKey as it is. It is a plain
// exported string, so this cannot be fixed: don't use %p or %w on it.
type CertificateDetail struct {
	Certificate
	CertificatePEM string // the certificate chain, PEM encoded
	PublicKey      string // PEM encoded
	PrivateKey     string // PEM encoded; secret
}

// DescribeCACertificateResponse holds one certificate with its keys. It
// prints as CertificateDetail does: PrivateKey as REDACTED, except under
// %p given a value and %w, which print it as it is (see CertificateDetail).
type DescribeCACertificateResponse struct {
	ResponseMeta
	Certificate CertificateDetail
}

// DescribeCACertificate returns one certificate with its PEM chain, public
// key and private key. GET; it changes nothing.
func (c *Client) DescribeCACertificate(ctx context.Context, req *DescribeCACertificateRequest) (*DescribeCACertificateResponse, error) {
	return describeCACertificate.call(ctx, c, req)
}

var describeCACertificate = declare("DescribeCACertificate", pathLB, reads,
	func(r *DescribeCACertificateRequest, _ *time.Location) form {
		return inQuery(certificateIDWire{r.CertificateID})
	},
	func(_ *DescribeCACertificateRequest, d *certificateDetailWire, loc *time.Location) (*DescribeCACertificateResponse, error) {
		return &DescribeCACertificateResponse{Certificate: d.value(loc)}, nil
	})

// DeleteCACertificateRequest names the certificate to delete.
type DeleteCACertificateRequest struct {
	CertificateID string // required
}

// DeleteCACertificateResponse is the service's acknowledgement.
type DeleteCACertificateResponse struct{ ResponseMeta }

// DeleteCACertificate deletes a certificate. POST.
func (c *Client) DeleteCACertificate(ctx context.Context, req *DeleteCACertificateRequest) (*DeleteCACertificateResponse, error) {
	return deleteCACertificate.call(ctx, c, req)
}

var deleteCACertificate = declare("DeleteCACertificate", pathLB, changes,
	func(r *DeleteCACertificateRequest, _ *time.Location) form {
		return inBody(certificateIDWire{r.CertificateID})
	},
	acknowledged[DeleteCACertificateRequest, DeleteCACertificateResponse])

// UploadCACertificateRequest is a certificate to store. Its PrivateKey is
// secret: fmt verbs, slog and encoding/json show it as REDACTED, while the
// wire gets it. The exception is fmt's: a verb that does not apply skips
// every printing method, so %p given a value (not a pointer) and %w given
// a value or a pointer (it is no error; fmt.Errorf included) print
// PrivateKey as it is. It is a plain exported string, so this cannot be
// fixed: don't use %p or %w on it.
type UploadCACertificateRequest struct {
	Certificate     string // required: the PEM chain, leaf first, with "\n" line breaks
	PrivateKey      string // required: the leaf's PEM private key
	CertificateName string // required: a name to find it by
}

// UploadCACertificateResponse is the service's acknowledgement. The service
// returns no id: find the new certificate by name with DescribeCACertificates.
type UploadCACertificateResponse struct{ ResponseMeta }

// UploadCACertificate stores a certificate and its private key for HTTPS
// listeners. POST. The library checks before sending that the chain and key
// parse and that the key belongs to the leaf certificate.
func (c *Client) UploadCACertificate(ctx context.Context, req *UploadCACertificateRequest) (*UploadCACertificateResponse, error) {
	return uploadCACertificate.call(ctx, c, req)
}

// The upload's wire form carries the real key.
var uploadCACertificate = declare("UploadCACertificate", pathLB, changes,
	func(r *UploadCACertificateRequest, _ *time.Location) form {
		return inBody(struct{ Certificate, PrivateKey, CertificateName string }{r.Certificate, r.PrivateKey, r.CertificateName})
	},
	acknowledged[UploadCACertificateRequest, UploadCACertificateResponse])

// The types below hold a private key. Their fmt, slog and JSON renderings
// show it as REDACTED, also inside slices, maps and other structs; the
// field itself and the request's wire form keep the real value.

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// certificateDetailPlain is CertificateDetail without methods, for printing.
type certificateDetailPlain CertificateDetail

func (d CertificateDetail) redacted() certificateDetailPlain {
	d.PrivateKey = redact(d.PrivateKey)
	return certificateDetailPlain(d)
}

// Format prints the certificate with its private key as REDACTED, for every verb.
func (d CertificateDetail) Format(f fmt.State, verb rune) {
	if f == nil {
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), d.redacted())
}

// LogValue is the certificate with its private key as REDACTED.
func (d CertificateDetail) LogValue() slog.Value { return slog.AnyValue(d.redacted()) }

// MarshalJSON encodes the certificate with its private key as REDACTED.
func (d CertificateDetail) MarshalJSON() ([]byte, error) { return json.Marshal(d.redacted()) }

type describeCACertificateResponsePlain struct {
	ResponseMeta
	Certificate certificateDetailPlain
}

func (r DescribeCACertificateResponse) redacted() describeCACertificateResponsePlain {
	return describeCACertificateResponsePlain{r.ResponseMeta, r.Certificate.redacted()}
}

// Format prints the response with the private key as REDACTED, for every verb.
func (r DescribeCACertificateResponse) Format(f fmt.State, verb rune) {
	if f == nil {
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), r.redacted())
}

// LogValue is the response with the private key as REDACTED.
func (r DescribeCACertificateResponse) LogValue() slog.Value { return slog.AnyValue(r.redacted()) }

type uploadCACertificateRequestPlain UploadCACertificateRequest

func (r UploadCACertificateRequest) redacted() uploadCACertificateRequestPlain {
	r.PrivateKey = redact(r.PrivateKey)
	return uploadCACertificateRequestPlain(r)
}

// Format prints the request with its private key as REDACTED, for every verb.
func (r UploadCACertificateRequest) Format(f fmt.State, verb rune) {
	if f == nil {
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), r.redacted())
}

// LogValue is the request with its private key as REDACTED.
func (r UploadCACertificateRequest) LogValue() slog.Value { return slog.AnyValue(r.redacted()) }

// MarshalJSON encodes the request with its private key as REDACTED: it is
// for logs and other renderings; UploadCACertificate sends the real key.
func (r UploadCACertificateRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.redacted()) }

func (r *DescribeCACertificatesRequest) validate() error { return nil }

func (r *DescribeCACertificateRequest) validate() error {
	return required("CertificateID", r.CertificateID)
}

func (r *DeleteCACertificateRequest) validate() error {
	return required("CertificateID", r.CertificateID)
}

func (r *UploadCACertificateRequest) validate() error {
	var p problems
	p.add(required("Certificate", r.Certificate), required("PrivateKey", r.PrivateKey),
		required("CertificateName", r.CertificateName))
	var leaf *x509.Certificate
	if strings.TrimSpace(r.Certificate) != "" {
		var err error
		leaf, err = leafCertificate(r.Certificate)
		p.add(err)
	}
	if strings.TrimSpace(r.PrivateKey) != "" {
		key, err := parsePrivateKey(r.PrivateKey)
		if err != nil {
			p.addf("PrivateKey", "%v", err) // the parser's messages never quote the key
		} else if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); leaf != nil && (!ok || !pub.Equal(leaf.PublicKey)) {
			p.addf("PrivateKey", "does not match the first (leaf) certificate")
		}
	}
	return p.err()
}

// leafCertificate returns the first certificate of a PEM chain, after
// checking that the chain holds only certificates that parse.
func leafCertificate(chain string) (*x509.Certificate, error) {
	var leaf *x509.Certificate
	rest := []byte(chain)
	for n := 0; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			if n == 0 {
				return nil, invalid("Certificate", "holds no PEM certificate")
			}
			return leaf, nil
		}
		if block.Type != "CERTIFICATE" {
			return nil, invalid("Certificate", "holds a PEM block of type %q; want only CERTIFICATE blocks", block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, invalid("Certificate", "certificate %d does not parse: %v", n+1, err)
		}
		if leaf == nil {
			leaf = cert
		}
	}
}

// parsePrivateKey reads a PEM private key in PKCS #1, PKCS #8 or SEC 1 (EC) form.
func parsePrivateKey(s string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("holds no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("is not a PKCS #1, PKCS #8 or EC private key")
	}
	if s, ok := k.(crypto.Signer); ok {
		return s, nil
	}
	return nil, fmt.Errorf("holds a key of an unsupported type")
}
