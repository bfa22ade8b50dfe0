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
	CertificateType    text
	Domain             text
	Brand              text
	Organization       text
	StartTime, EndTime text
	Valid              wire.Int
}

// check: the id other requests take, and the name EnsureCertificate compares.
func (w *certificateWire) check() string {
	return absent("CertificateId", w.CertificateID, "CertificateName", w.CertificateName)
}

func (w *certificateWire) value(loc *time.Location) Certificate {
	return Certificate{CertificateID: w.CertificateID, CertificateName: w.CertificateName, CertificateType: string(w.CertificateType),
		Domain: string(w.Domain), Brand: string(w.Brand), Organization: string(w.Organization),
		StartTime: wire.ParseTime(string(w.StartTime), loc), EndTime: wire.ParseTime(string(w.EndTime), loc), Validity: CertificateValidity(w.Valid)}
}

// certificateDetailWire is a CertificateDetail as the API writes it.
type certificateDetailWire struct {
	certificateWire
	Certificate text
	PublicKey   text
	PrivateKey  text
	PirvateKey  text // the API's own spelling in answers
}

func (w *certificateDetailWire) value(loc *time.Location) CertificateDetail {
	d := CertificateDetail{Certificate: w.certificateWire.value(loc), CertificatePEM: string(w.Certificate), PublicKey: string(w.PublicKey),
		PrivateKey: string(w.PirvateKey)}
	if d.PrivateKey == "" {
		d.PrivateKey = string(w.PrivateKey)
	}
	return d
}
