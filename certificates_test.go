package cdslb

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fixtureCertificateID = "3f6e2a91-8c4b-4d7e-a5f0-1b9c8d2e7a63"

// fixtureCertificate is the certificate of the document's examples, as the
// list and the detail both describe it.
func fixtureCertificate() Certificate {
	return Certificate{
		CertificateID: fixtureCertificateID, CertificateName: "******", CertificateType: "DV", Domain: "******",
		Brand: "Encryption Everywhere DV TLS CA - G1", Organization: "DigiCert Inc",
		StartTime: time.Date(2020, 2, 26, 0, 0, 0, 0, cst),
		EndTime:   time.Date(2021, 2, 25, 12, 0, 0, 0, cst),
		Validity:  CertificateValid,
	}
}

// assertCertificate compares certificates, their times as instants read in UTC+8.
func assertCertificate(t *testing.T, want, got Certificate) {
	t.Helper()
	assertTime(t, want.StartTime, got.StartTime)
	assertTime(t, want.EndTime, got.EndTime)
	want.StartTime, want.EndTime, got.StartTime, got.EndTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	assert.Equal(t, want, got)
}

func TestDescribeCACertificates(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeCACertificates")

	resp, err := c.DescribeCACertificates(context.Background(), nil)
	require.NoError(t, err)

	assertGET(t, stub.only("DescribeCACertificates"), "DescribeCACertificates", nil)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	require.Len(t, resp.Certificates, 1)
	assertCertificate(t, fixtureCertificate(), resp.Certificates[0])
}

func TestDescribeCACertificatesValidity(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeCACertificates", http.StatusOK, `{"Code": "Success", "Data": [
		{"CertificateId": "a", "CertificateName": "a", "Valid": 0}, {"CertificateId": "b", "CertificateName": "b", "Valid": "2"},
		{"CertificateId": "c", "CertificateName": "c", "Valid": 1, "StartTime": ""}]}`)

	resp, err := c.DescribeCACertificates(context.Background(), &DescribeCACertificatesRequest{})
	require.NoError(t, err)
	require.Len(t, resp.Certificates, 3)
	assert.Equal(t, CertificateExpired, resp.Certificates[0].Validity)
	assert.Equal(t, CertificateExpiring, resp.Certificates[1].Validity, "within 30 days; Valid as a string")
	assert.Equal(t, CertificateValid, resp.Certificates[2].Validity)
	assert.True(t, resp.Certificates[2].StartTime.IsZero())
}

func TestDescribeCACertificate(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeCACertificate")

	resp, err := c.DescribeCACertificate(context.Background(), &DescribeCACertificateRequest{CertificateID: fixtureCertificateID})
	require.NoError(t, err)

	assertGET(t, stub.only("DescribeCACertificate"), "DescribeCACertificate", map[string]string{"CertificateId": fixtureCertificateID})
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	d := resp.Certificate
	assertCertificate(t, fixtureCertificate(), d.Certificate)
	assert.Equal(t, "-----BEGIN CERTIFICATE-----\n******\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n******\n-----END CERTIFICATE-----\n", d.CertificatePEM)
	assert.Equal(t, "-----BEGIN PUBLIC KEY-----\n******\n-----END PUBLIC KEY-----\n", d.PublicKey)
	assert.Equal(t, "-----BEGIN RSA PRIVATE KEY-----\n******=\n-----END RSA PRIVATE KEY-----\n", d.PrivateKey,
		"read from the answer's misspelt PirvateKey")
}

func TestDescribeCACertificateReadsEitherKeySpelling(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeCACertificate", http.StatusOK, `{"Code": "Success", "Data": {"CertificateId": "x", "PrivateKey": "KEY-A"}}`)
	stub.answer("DescribeCACertificate", http.StatusOK, `{"Code": "Success", "Data": {"CertificateId": "x", "PrivateKey": "KEY-A", "PirvateKey": "KEY-B"}}`)

	resp, err := c.DescribeCACertificate(context.Background(), &DescribeCACertificateRequest{CertificateID: "x"})
	require.NoError(t, err)
	assert.Equal(t, "KEY-A", resp.Certificate.PrivateKey, "the correct spelling is read too")

	resp, err = c.DescribeCACertificate(context.Background(), &DescribeCACertificateRequest{CertificateID: "x"})
	require.NoError(t, err)
	assert.Equal(t, "KEY-B", resp.Certificate.PrivateKey, "the document's spelling wins when both come")
}

func TestDeleteCACertificate(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DeleteCACertificate")

	resp, err := c.DeleteCACertificate(context.Background(), &DeleteCACertificateRequest{CertificateID: fixtureCertificateID})
	require.NoError(t, err)

	body := postBody(t, stub.only("DeleteCACertificate"), "/lb/", "DeleteCACertificate")
	assert.Equal(t, map[string]any{"CertificateId": fixtureCertificateID}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
}

func TestUploadCACertificate(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("UploadCACertificate")
	certPEM, keyPEM := selfSignedPEM(t)

	resp, err := c.UploadCACertificate(context.Background(), &UploadCACertificateRequest{
		Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "证书-main",
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("UploadCACertificate"), "/lb/", "UploadCACertificate")
	assert.Equal(t, map[string]any{
		"Certificate": certPEM, "PrivateKey": keyPEM, // the request's spelling is the correct one
		"CertificateName": "证书-main",
	}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
}

// selfSignedPEM makes a self-signed certificate and its key, PEM encoded
// with "\n" line breaks as the document requires.
func selfSignedPEM(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lb.example.com"},
		DNSNames:  []string{"lb.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

var _ = example("DescribeCACertificates", func(testing.TB) any { return (*DescribeCACertificatesRequest)(nil) })

var _ = example("DescribeCACertificate", func(testing.TB) any {
	return &DescribeCACertificateRequest{CertificateID: "cert-1"}
})

var _ = example("DeleteCACertificate", func(testing.TB) any { return &DeleteCACertificateRequest{CertificateID: "cert-1"} })

var _ = example("UploadCACertificate", func(t testing.TB) any {
	certPEM, keyPEM := testCertificate(t, "ec")
	return &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}
})

func TestCertificateValidityString(t *testing.T) {
	t.Parallel()
	for v, want := range map[CertificateValidity]string{
		CertificateExpired: "expired", CertificateValid: "valid", CertificateExpiring: "expiring", 7: "CertificateValidity(7)", -1: "CertificateValidity(-1)",
	} {
		assert.Equal(t, want, v.String())
	}
}
