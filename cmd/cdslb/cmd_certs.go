package main

import (
	"fmt"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

// certificateWithKey is cdslb.CertificateDetail without its methods, so
// that its JSON shows the private key: only with --show-private-key.
type certificateWithKey cdslb.CertificateDetail

func (a *app) certsCommand() *cobra.Command {
	certs := group("certs", "TLS certificates: list, get, delete, upload, ensure")
	certs.AddCommand(a.certsListCommand(), a.certsGetCommand(), a.certsDeleteCommand(), a.certsUploadCommand(false), a.certsUploadCommand(true))
	return certs
}

func (a *app) printCerts(list []cdslb.Certificate, v any) error {
	return a.print(v, func() *table {
		t := &table{header: []string{"CERTIFICATE_ID", "NAME", "DOMAIN", "TYPE", "VALIDITY", "START", "END"}}
		for _, c := range list {
			t.add(c.CertificateID, c.CertificateName, c.Domain, c.CertificateType, c.Validity.String(), rfc3339(c.StartTime), rfc3339(c.EndTime))
		}
		return t
	})
}

func (a *app) certsListCommand() *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "List certificates, without their keys (DescribeCACertificates)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DescribeCACertificates(cmd.Context(), nil)
			if err != nil {
				return err
			}
			return a.printCerts(resp.Certificates, nonNil(resp.Certificates))
		},
	}
}

func (a *app) certsGetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get ID",
		Short: "Show a certificate; its PEM chain and keys with -o json|yaml (DescribeCACertificate)",
		Long: `Show a certificate. As JSON or YAML it prints the library's CertificateDetail,
with the PEM chain and public key, and the private key as REDACTED unless
--show-private-key is given.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DescribeCACertificate(cmd.Context(), &cdslb.DescribeCACertificateRequest{CertificateID: args[0]})
			if err != nil {
				return err
			}
			var v any = resp.Certificate // its JSON shows the key as REDACTED
			if a.showPrivKey {
				v = certificateWithKey(resp.Certificate)
			}
			return a.printCerts([]cdslb.Certificate{resp.Certificate.Certificate}, v)
		},
	}
	cmd.Flags().BoolVar(&a.showPrivKey, "show-private-key", false, "print the private key instead of REDACTED")
	return cmd
}

func (a *app) certsDeleteCommand() *cobra.Command {
	return &cobra.Command{
		Use: "delete ID", Short: "Delete a certificate (DeleteCACertificate)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DeleteCACertificate(cmd.Context(), &cdslb.DeleteCACertificateRequest{CertificateID: args[0]})
			if err != nil {
				return err
			}
			return a.print(resp, func() *table {
				t := &table{header: []string{"CERTIFICATE_ID", "TASK_ID"}}
				t.add(args[0], resp.TaskID)
				return t
			})
		},
	}
}

// certsUploadCommand is "certs upload" or, with ensure, "certs ensure".
func (a *app) certsUploadCommand(ensure bool) *cobra.Command {
	var name, certFile, keyFile string
	use, short := "upload", "Upload a certificate and its key (UploadCACertificate)"
	if ensure {
		use, short = "ensure", "Find the certificate of the name, or upload it (EnsureCertificate)"
	}
	cmd := &cobra.Command{
		Use: use + " --name N --cert FILE --key FILE", Short: short, Args: cobra.NoArgs,
		Long: short + `. The key is checked against the
certificate before anything is sent, and never printed. The certificate is
printed as "certs list" prints it.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" || certFile == "" || keyFile == "" {
				return usageErrorf("--name, --cert and --key are required")
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			certPEM, err := a.readFile(certFile)
			if err != nil {
				return err
			}
			keyPEM, err := a.readFile(keyFile)
			if err != nil {
				return err
			}
			req := &cdslb.UploadCACertificateRequest{Certificate: string(certPEM), PrivateKey: string(keyPEM), CertificateName: name}
			var cert *cdslb.Certificate
			if ensure {
				var created bool
				if cert, created, err = c.EnsureCertificate(cmd.Context(), req); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "certificate %s %s\n", cert.CertificateID, map[bool]string{true: "uploaded", false: "found"}[created])
			} else {
				if _, err := c.UploadCACertificate(cmd.Context(), req); err != nil {
					return err
				}
				if cert, err = a.certificateNamed(cmd, c, name); err != nil {
					return err
				}
			}
			return a.printCerts([]cdslb.Certificate{*cert}, cert)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the certificate's name")
	cmd.Flags().StringVar(&certFile, "cert", "", "the PEM chain, leaf first")
	cmd.Flags().StringVar(&keyFile, "key", "", "the leaf's PEM private key")
	return cmd
}

// certificateNamed finds the certificate just uploaded: the service
// answers an upload with no id.
func (a *app) certificateNamed(cmd *cobra.Command, c *cdslb.Client, name string) (*cdslb.Certificate, error) {
	resp, err := c.DescribeCACertificates(cmd.Context(), nil)
	if err != nil {
		return nil, fmt.Errorf("uploaded, but listing it failed: %w", err)
	}
	for i := range resp.Certificates {
		if resp.Certificates[i].CertificateName == name {
			return &resp.Certificates[i], nil
		}
	}
	return nil, fmt.Errorf("uploaded, but no certificate named %q is listed yet", name)
}
