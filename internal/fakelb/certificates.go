package fakelb

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"
)

// certificate is an uploaded certificate chain with its private key.
type certificate struct {
	id, name string
	chainPEM string
	keyPEM   string // returned only by DescribeCACertificate, as PirvateKey
	leaf     *x509.Certificate
}

// certSummary is one entry of DescribeCACertificates.
type certSummary struct {
	Brand           string
	CertificateId   string
	CertificateName string
	CertificateType string
	Domain          string
	EndTime         string
	Organization    string
	StartTime       string
	Valid           int
}

// Certificate validity, as the document numbers it.
const (
	certExpired  = 0
	certValid    = 1
	certExpiring = 2 // within 30 days
)

func (c *certificate) summary(now time.Time) certSummary {
	valid := certValid
	switch {
	case now.After(c.leaf.NotAfter):
		valid = certExpired
	case c.leaf.NotAfter.Sub(now) <= 30*24*time.Hour:
		valid = certExpiring
	}
	typ := "DV"
	if len(c.leaf.Subject.Organization) > 0 {
		typ = "OV"
	}
	return certSummary{
		Brand:           c.leaf.Issuer.CommonName,
		CertificateId:   c.id,
		CertificateName: c.name,
		CertificateType: typ,
		Domain:          leafDomain(c.leaf),
		EndTime:         formatTime(c.leaf.NotAfter),
		Organization:    strings.Join(c.leaf.Issuer.Organization, ", "),
		StartTime:       formatTime(c.leaf.NotBefore),
		Valid:           valid,
	}
}

func leafDomain(leaf *x509.Certificate) string {
	if leaf.Subject.CommonName != "" {
		return leaf.Subject.CommonName
	}
	if len(leaf.DNSNames) > 0 {
		return leaf.DNSNames[0]
	}
	return ""
}

func (s *Server) describeCertificates(r *request) (reply, error) {
	list := []certSummary{}
	for _, id := range s.certOrder {
		list = append(list, s.certs[id].summary(r.now))
	}
	return reply{data: list}, nil
}

func (s *Server) findCertificate(r *request) (*certificate, error) {
	id, err := r.required("CertificateId")
	if err != nil {
		return nil, err
	}
	c, ok := s.certs[id]
	if !ok {
		return nil, notFoundf("CertificateId %q does not exist", id)
	}
	return c, nil
}

// describeCertificate answers the summary plus the PEM texts, with the
// private key under the document's misspelled key "PirvateKey".
func (s *Server) describeCertificate(r *request) (reply, error) {
	c, err := s.findCertificate(r)
	if err != nil {
		return reply{}, err
	}
	pub, err := x509.MarshalPKIXPublicKey(c.leaf.PublicKey)
	if err != nil {
		return reply{}, err
	}
	return reply{data: struct {
		certSummary
		Certificate string
		PirvateKey  string
		PublicKey   string
	}{
		certSummary: c.summary(r.now),
		Certificate: c.chainPEM,
		PirvateKey:  c.keyPEM,
		PublicKey:   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
	}}, nil
}

// uploadCertificate stores a certificate chain and its key. Like the real
// API it answers no id: callers find the certificate by name, so the fake
// refuses a name that is already taken.
func (s *Server) uploadCertificate(r *request) (reply, error) {
	var f struct{ chain, key, name string }
	var err error
	for _, p := range []struct {
		name string
		dst  *string
	}{{"Certificate", &f.chain}, {"PrivateKey", &f.key}, {"CertificateName", &f.name}} {
		if *p.dst, err = r.required(p.name); err != nil {
			return reply{}, err
		}
	}
	for _, c := range s.certs {
		if c.name == f.name {
			return reply{}, invalidf("CertificateName %q is already used by certificate %s", f.name, c.id)
		}
	}
	leaf, err := parseChain(f.chain)
	if err != nil {
		return reply{}, err
	}
	key, err := parseKey(f.key)
	if err != nil {
		return reply{}, err
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(leaf.PublicKey) {
		return reply{}, invalidf("PrivateKey does not match the public key of the first certificate in Certificate")
	}
	c := &certificate{id: s.newID(), name: f.name, chainPEM: f.chain, keyPEM: f.key, leaf: leaf}
	s.certs[c.id] = c
	s.certOrder = append(s.certOrder, c.id)
	return reply{}, nil
}

// parseChain parses a PEM chain and returns its first (leaf) certificate.
func parseChain(chain string) (*x509.Certificate, error) {
	var leaf *x509.Certificate
	rest := []byte(chain)
	for n := 0; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, invalidf("Certificate block %d is a %q block, not CERTIFICATE", n, block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, invalidf("Certificate block %d is not a valid X.509 certificate", n)
		}
		if leaf == nil {
			leaf = c
		}
	}
	if leaf == nil {
		return nil, invalidf("Certificate holds no PEM CERTIFICATE block (each line must end with \\n)")
	}
	return leaf, nil
}

// parseKey parses a PEM private key in PKCS#1, PKCS#8 or SEC 1 (EC) form.
// Its errors never quote the key.
func parseKey(text string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, invalidf("PrivateKey is not a PEM block")
	}
	var key any
	var err error
	if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			key, err = x509.ParseECPrivateKey(block.Bytes)
		}
	}
	signer, ok := key.(crypto.Signer)
	if err != nil || !ok {
		return nil, invalidf("PrivateKey is not a PKCS#1, PKCS#8 or EC private key")
	}
	return signer, nil
}

// deleteCertificate removes a certificate. One that a listener binds is
// refused with 409 ResourceInUse.
func (s *Server) deleteCertificate(r *request) (reply, error) {
	c, err := s.findCertificate(r)
	if err != nil {
		return reply{}, err
	}
	if s.usesCertificate(c.id) {
		return reply{}, inUsef("certificate %s is bound to a listener; unbind it first", c.id)
	}
	delete(s.certs, c.id)
	for i, id := range s.certOrder {
		if id == c.id {
			s.certOrder = append(s.certOrder[:i], s.certOrder[i+1:]...)
			break
		}
	}
	return reply{}, nil
}
