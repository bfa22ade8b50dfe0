package cdslb

import (
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// certificateIDWire is the wire form of a request that names one certificate.
type certificateIDWire struct {
	CertificateID string `json:"CertificateId" url:"CertificateId"`
}

// certificateWire is a Certificate as the API writes it.
type certificateWire struct {
	CertificateID      string `json:"CertificateId"`
	CertificateName    string
	CertificateType    string
	Domain             string
	Brand              string
	Organization       string
	StartTime, EndTime string
	Valid              wire.Int
}

func (w *certificateWire) value(loc *time.Location) Certificate {
	return Certificate{CertificateID: w.CertificateID, CertificateName: w.CertificateName, CertificateType: w.CertificateType,
		Domain: w.Domain, Brand: w.Brand, Organization: w.Organization,
		StartTime: wire.ParseTime(w.StartTime, loc), EndTime: wire.ParseTime(w.EndTime, loc), Validity: CertificateValidity(w.Valid)}
}

// certificateDetailWire is a CertificateDetail as the API writes it.
type certificateDetailWire struct {
	certificateWire
	Certificate string
	PublicKey   string
	PrivateKey  string
	PirvateKey  string // the API's own spelling in answers
}

func (w *certificateDetailWire) value(loc *time.Location) CertificateDetail {
	d := CertificateDetail{Certificate: w.certificateWire.value(loc), CertificatePEM: w.Certificate, PublicKey: w.PublicKey, PrivateKey: w.PirvateKey}
	if d.PrivateKey == "" {
		d.PrivateKey = w.PrivateKey
	}
	return d
}
