package cdslb

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// CertificateValidity says whether a certificate is still good.
type CertificateValidity int

// The validity states the API reports.
const (
	CertificateExpired  CertificateValidity = 0 // past its end time
	CertificateValid    CertificateValidity = 1 // valid for more than 30 days
	CertificateExpiring CertificateValidity = 2 // valid, but ends within 30 days
)

// Certificate is a TLS certificate stored for HTTPS listeners.
type Certificate struct {
	CertificateID   string              `json:"CertificateId"`
	CertificateName string              // the name given at upload
	CertificateType string              // such as "DV"
	Domain          string              // the domain it is for
	Brand           string              // the issuing CA's product, such as "Encryption Everywhere DV TLS CA - G1"
	Organization    string              // the issuer, such as "DigiCert Inc"
	StartTime       time.Time           `json:"-"` // valid from
	EndTime         time.Time           `json:"-"` // valid until
	Validity        CertificateValidity `json:"-"`
}

// certificateWire is a Certificate as the API writes it.
type certificateWire struct {
	Certificate
	StartTime, EndTime string
	Valid              wire.Int
}

func (w *certificateWire) value(loc *time.Location) Certificate {
	c := w.Certificate
	c.StartTime, c.EndTime = wire.ParseTime(w.StartTime, loc), wire.ParseTime(w.EndTime, loc)
	c.Validity = CertificateValidity(w.Valid)
	return c
}

// DescribeCACertificatesRequest has no parameters; a nil request is fine.
type DescribeCACertificatesRequest struct{}

// DescribeCACertificatesResponse lists the account's certificates.
type DescribeCACertificatesResponse struct {
	ResponseMeta
	Certificates []Certificate

	raw []certificateWire
}

func (r *DescribeCACertificatesResponse) data() any { return &r.raw }

func (r *DescribeCACertificatesResponse) finish(loc *time.Location) {
	r.Certificates = make([]Certificate, len(r.raw))
	for i := range r.raw {
		r.Certificates[i] = r.raw[i].value(loc)
	}
	r.raw = nil
}

// DescribeCACertificates lists the account's certificates, without their
// keys. GET; it changes nothing.
func (c *Client) DescribeCACertificates(ctx context.Context, req *DescribeCACertificatesRequest) (*DescribeCACertificatesResponse, error) {
	return call[DescribeCACertificatesResponse](ctx, c, lbGet("DescribeCACertificates"), req)
}

// DescribeCACertificateRequest names one certificate.
type DescribeCACertificateRequest struct {
	CertificateID string `url:"CertificateId"` // required
}

// CertificateDetail is a certificate with its PEM chain and keys. Its
// PrivateKey is secret: fmt verbs, slog and encoding/json show it as
// REDACTED; read the field itself to use it.
type CertificateDetail struct {
	Certificate
	CertificatePEM string // the certificate chain, PEM encoded
	PublicKey      string // PEM encoded
	PrivateKey     string // PEM encoded; secret
}

// DescribeCACertificateResponse holds one certificate with its keys.
type DescribeCACertificateResponse struct {
	ResponseMeta
	Certificate CertificateDetail

	raw certificateDetailWire
}

// certificateDetailWire is a CertificateDetail as the API writes it.
type certificateDetailWire struct {
	certificateWire
	Certificate string
	PublicKey   string
	PrivateKey  string
	PirvateKey  string // the API's own spelling in answers
}

func (r *DescribeCACertificateResponse) data() any { return &r.raw }

func (r *DescribeCACertificateResponse) finish(loc *time.Location) {
	w := &r.raw
	r.Certificate = CertificateDetail{Certificate: w.value(loc), CertificatePEM: w.Certificate, PublicKey: w.PublicKey, PrivateKey: w.PirvateKey}
	if r.Certificate.PrivateKey == "" {
		r.Certificate.PrivateKey = w.PrivateKey
	}
	r.raw = certificateDetailWire{} // no second copy of the key
}

// DescribeCACertificate returns one certificate with its PEM chain, public
// key and private key. GET; it changes nothing.
func (c *Client) DescribeCACertificate(ctx context.Context, req *DescribeCACertificateRequest) (*DescribeCACertificateResponse, error) {
	return call[DescribeCACertificateResponse](ctx, c, lbGet("DescribeCACertificate"), req)
}

// DeleteCACertificateRequest names the certificate to delete.
type DeleteCACertificateRequest struct {
	CertificateID string `json:"CertificateId"` // required
}

// DeleteCACertificateResponse is the service's acknowledgement.
type DeleteCACertificateResponse struct{ ResponseMeta }

// DeleteCACertificate deletes a certificate. POST.
func (c *Client) DeleteCACertificate(ctx context.Context, req *DeleteCACertificateRequest) (*DeleteCACertificateResponse, error) {
	return call[DeleteCACertificateResponse](ctx, c, lbPost("DeleteCACertificate"), req)
}

// UploadCACertificateRequest is a certificate to store. Its PrivateKey is
// secret: fmt verbs, slog and encoding/json show it as REDACTED, while the
// wire gets it.
type UploadCACertificateRequest struct {
	Certificate     string `json:"Certificate"`     // required: the PEM chain, leaf first, with "\n" line breaks
	PrivateKey      string `json:"PrivateKey"`      // required: the leaf's PEM private key
	CertificateName string `json:"CertificateName"` // required: a name to find it by
}

// uploadCACertificateWire is the request as sent, with the real key.
type uploadCACertificateWire UploadCACertificateRequest

func (r *UploadCACertificateRequest) wire(*time.Location) any { return (*uploadCACertificateWire)(r) }

// UploadCACertificateResponse is the service's acknowledgement. The service
// returns no id: find the new certificate by name with DescribeCACertificates.
type UploadCACertificateResponse struct{ ResponseMeta }

// UploadCACertificate stores a certificate and its private key for HTTPS
// listeners. POST. The library checks before sending that the chain and key
// parse and that the key belongs to the leaf certificate.
func (c *Client) UploadCACertificate(ctx context.Context, req *UploadCACertificateRequest) (*UploadCACertificateResponse, error) {
	return call[UploadCACertificateResponse](ctx, c, lbPost("UploadCACertificate"), req)
}

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
	fmt.Fprintf(f, fmt.FormatString(f, verb), d.redacted())
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
	fmt.Fprintf(f, fmt.FormatString(f, verb), r.redacted())
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
	fmt.Fprintf(f, fmt.FormatString(f, verb), r.redacted())
}

// LogValue is the request with its private key as REDACTED.
func (r UploadCACertificateRequest) LogValue() slog.Value { return slog.AnyValue(r.redacted()) }

// MarshalJSON encodes the request with its private key as REDACTED: it is
// for logs and other renderings; UploadCACertificate sends the real key.
func (r UploadCACertificateRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.redacted()) }
