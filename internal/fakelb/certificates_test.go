package fakelb

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testCert returns a PEM chain (leaf signed by a small CA, then the CA) and
// the leaf's key encoded by encodeKey.
func testCert(t *testing.T, key crypto.Signer, notAfter time.Time, encodeKey func(crypto.Signer) *pem.Block) (chain, keyPEM string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test DV TLS CA - G1", Organization: []string{"Test CA Inc"}},
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), DNSNames: []string{"www.example.com", "example.com"},
		NotBefore: t0.Add(-time.Hour), NotAfter: notAfter,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	chain = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	return chain, string(pem.EncodeToMemory(encodeKey(key)))
}

func pkcs8(k crypto.Signer) *pem.Block {
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return &pem.Block{Type: "PRIVATE KEY", Bytes: der}
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// upload uploads a certificate and returns its id, found by name.
func (e *env) upload(name, chain, key string) string {
	e.t.Helper()
	res := e.ok("UploadCACertificate", map[string]any{"Certificate": chain, "PrivateKey": key, "CertificateName": name}, nil)
	if string(res.Data) != "{}" {
		e.t.Errorf("upload Data = %s, want {}", res.Data)
	}
	var list []certSummary
	e.ok("DescribeCACertificates", nil, &list)
	for _, c := range list {
		if c.CertificateName == name {
			return c.CertificateId
		}
	}
	e.t.Fatalf("certificate %q not listed", name)
	return ""
}

func TestCertificateKeyFormats(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := func(k crypto.Signer) *pem.Block {
		return &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey))}
	}
	sec1 := func(k crypto.Signer) *pem.Block {
		der, _ := x509.MarshalECPrivateKey(k.(*ecdsa.PrivateKey))
		return &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	}
	for name, c := range map[string]struct {
		key crypto.Signer
		enc func(crypto.Signer) *pem.Block
	}{"pkcs1": {rsaKey, pkcs1}, "pkcs8-rsa": {rsaKey, pkcs8}, "sec1": {ecKey(t), sec1}, "pkcs8-ec": {ecKey(t), pkcs8}} {
		chain, key := testCert(t, c.key, t0.AddDate(1, 0, 0), c.enc)
		e.upload(name, chain, key)
	}
}

func TestCertificateLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	chain, key := testCert(t, ecKey(t), time.Date(2027, 3, 10, 4, 0, 0, 0, time.UTC), pkcs8)
	id := e.upload("site", chain, key)

	var list []map[string]any
	e.ok("DescribeCACertificates", nil, &list)
	want := map[string]any{
		"Brand": "Test DV TLS CA - G1", "Organization": "Test CA Inc", "CertificateType": "DV",
		"Domain": "www.example.com", "EndTime": "2027-03-10 12:00:00", "StartTime": "2026-03-10 13:00:00",
		"Valid": 1.0, "CertificateName": "site", "CertificateId": id,
	}
	if len(list) != 1 || len(list[0]) != len(want) {
		t.Fatalf("list = %v", list)
	}
	for k, v := range want {
		if list[0][k] != v {
			t.Errorf("%s = %v, want %v", k, list[0][k], v)
		}
	}

	var detail map[string]any
	e.ok("DescribeCACertificate", map[string]string{"CertificateId": id}, &detail)
	if detail["PirvateKey"] != key || detail["Certificate"] != chain || !strings.HasPrefix(detail["PublicKey"].(string), "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("detail = %v", detail)
	}
	if _, ok := detail["PrivateKey"]; ok {
		t.Error("detail spells PrivateKey; the document spells it PirvateKey")
	}

	lbID := e.create(createBody())
	h := httpListener("https", 443)
	h["CertificateIds"] = []any{map[string]any{"CertificateId": id, "CertificateName": "whatever"}}
	e.ok("ModifyLoadBalancerStrategys", modify(lbID, []any{h}, []any{}), nil)
	httpL, _ := e.strategys(lbID)
	if refs := httpL[0]["CertificateIds"].([]any); refs[0].(map[string]any)["CertificateName"] != "site" {
		t.Errorf("CertificateIds = %v, want the stored name", refs)
	}
	e.fails("DeleteCACertificate", map[string]any{"CertificateId": id}, 409, "ResourceInUse")
	e.ok("ModifyLoadBalancerStrategys", modify(lbID, []any{}, []any{}), nil)
	e.ok("DeleteCACertificate", map[string]any{"CertificateId": id}, nil)
	e.fails("DescribeCACertificate", map[string]string{"CertificateId": id}, 404, "ResourceNotFound")
	e.fails("DeleteCACertificate", map[string]any{"CertificateId": id}, 404, "ResourceNotFound")
	e.fails("DeleteCACertificate", map[string]any{}, 400, "ArgMissing")
	res := e.ok("DescribeCACertificates", nil, nil)
	if string(res.Data) != "[]" {
		t.Errorf("after delete: %s", res.Data)
	}
}

func TestCertificateValidity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	chain, key := testCert(t, ecKey(t), t0.AddDate(0, 0, 40), pkcs8)
	e.upload("forty-days", chain, key)
	valid := func() float64 {
		var list []map[string]any
		e.ok("DescribeCACertificates", nil, &list)
		return list[0]["Valid"].(float64)
	}
	if v := valid(); v != 1 {
		t.Errorf("40 days left: Valid = %v, want 1", v)
	}
	e.clock.Advance(11 * 24 * time.Hour)
	if v := valid(); v != 2 {
		t.Errorf("29 days left: Valid = %v, want 2", v)
	}
	e.clock.Advance(30 * 24 * time.Hour)
	if v := valid(); v != 0 {
		t.Errorf("expired: Valid = %v, want 0", v)
	}
}

func TestUploadCertificateRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	chain, key := testCert(t, ecKey(t), t0.AddDate(1, 0, 0), pkcs8)
	_, otherKey := testCert(t, ecKey(t), t0.AddDate(1, 0, 0), pkcs8)
	body := func(c, k, n string) map[string]any {
		return map[string]any{"Certificate": c, "PrivateKey": k, "CertificateName": n}
	}
	tests := []struct {
		name     string
		body     map[string]any
		code     string
		mentions string
	}{
		{"key does not match", body(chain, otherKey, "x"), "InvalidParameter", "does not match"},
		{"not PEM", body("hello", key, "x"), "InvalidParameter", "Certificate"},
		{"key not PEM", body(chain, "-----BEGIN NOTHING", "x"), "InvalidParameter", "PrivateKey"},
		{"key block garbage", body(chain, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "x"), "InvalidParameter", "PrivateKey"},
		{"key as certificate", body(key, key, "x"), "InvalidParameter", "Certificate"},
		{"no certificate", body("", key, "x"), "ArgMissing", "Certificate"},
		{"no key", body(chain, "", "x"), "ArgMissing", "PrivateKey"},
		{"no name", body(chain, key, ""), "ArgMissing", "CertificateName"},
	}
	for _, tt := range tests {
		res := e.fails("UploadCACertificate", tt.body, 400, tt.code)
		if !strings.Contains(res.Msg, tt.mentions) {
			t.Errorf("%s: message %q does not mention %s", tt.name, res.Msg, tt.mentions)
		}
		if keyBody := strings.Split(key, "\n")[1]; strings.Contains(string(res.raw), keyBody) || strings.Contains(string(res.raw), "AAAA") {
			t.Errorf("%s: answer quotes the key: %s", tt.name, res.raw)
		}
	}
	e.upload("taken", chain, key)
	e.fails("UploadCACertificate", body(chain, key, "taken"), 400, "InvalidParameter")
}
