// Command certificates shows the certificate actions: the library checks a
// certificate and its key before uploading them, the upload returns no id
// (find the certificate by name), and a private key read back is never
// printed by fmt or slog.
//
// Without -live it runs against the built-in fake service.
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/examples/internal/demo"
)

func main() { demo.Main("certificates", run) }

func run(ctx context.Context, s *demo.Session) error {
	c := s.Client
	certPEM, keyPEM, err := demo.SelfSigned("www.example.com")
	if err != nil {
		return err
	}
	_, otherKey, err := demo.SelfSigned("other.example.com")
	if err != nil {
		return err
	}

	// A key that does not belong to the certificate is refused before
	// anything is sent.
	_, err = c.UploadCACertificate(ctx, &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: otherKey, CertificateName: "www"})
	fmt.Println("wrong key refused before sending:", errors.Is(err, cdslb.ErrInvalidRequest), "-", err)

	name := fmt.Sprintf("www-%d", time.Now().Unix())
	if _, err := c.UploadCACertificate(ctx, &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: name}); err != nil {
		return err
	}
	list, err := c.DescribeCACertificates(ctx, nil)
	if err != nil {
		return err
	}
	var id string
	for _, cert := range list.Certificates {
		if cert.CertificateName == name {
			id = cert.CertificateID
			fmt.Printf("uploaded %s: %s, %s to %s, validity %d\n", cert.CertificateID, cert.Domain,
				cert.StartTime.Format(time.DateOnly), cert.EndTime.Format(time.DateOnly), cert.Validity)
		}
	}
	if id == "" {
		return fmt.Errorf("certificate %s not listed after upload", name)
	}

	detail, err := c.DescribeCACertificate(ctx, &cdslb.DescribeCACertificateRequest{CertificateID: id})
	if err != nil {
		return err
	}
	_, shown, _ := strings.Cut(fmt.Sprintf("%+v", detail.Certificate), "PrivateKey:")
	fmt.Printf("read back with its %d-byte private key, which %%+v prints as %s\n", len(detail.Certificate.PrivateKey), strings.TrimRight(shown, "}"))

	if _, err := c.DeleteCACertificate(ctx, &cdslb.DeleteCACertificateRequest{CertificateID: id}); err != nil {
		return err
	}
	fmt.Println("deleted", id)
	return nil
}
