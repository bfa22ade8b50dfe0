package cdslb_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

func TestEnsureLoadBalancerTwiceGivesOneInstance(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()

	first, created, err := c.EnsureLoadBalancer(ctx, createRequest("web"), fastPoll)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, cdslb.StatusRunning, first.Status)
	again, created, err := c.EnsureLoadBalancer(ctx, createRequest("web"), fastPoll)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, first.InstanceUUID, again.InstanceUUID)

	assert.Len(t, srv.LoadBalancers(), 1)
	assert.Equal(t, 1, srv.Requests("CreateLoadBalancer"))
}

// TestEnsureLoadBalancerAfterALostAnswer: the create ran but its answer was
// lost; Ensure finds the instance by listing, never creating again.
func TestEnsureLoadBalancerAfterALostAnswer(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	require.NoError(t, srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{DropAfterRate: 1}))

	lb, created, err := c.EnsureLoadBalancer(context.Background(), createRequest("web"), fastPoll)
	require.NoError(t, err)
	assert.True(t, created)
	require.Len(t, srv.LoadBalancers(), 1)
	assert.Equal(t, srv.LoadBalancers()[0].InstanceUUID, lb.InstanceUUID)
	assert.Equal(t, 1, srv.Requests("CreateLoadBalancer"))

	srv.ClearFaults()
	_, created, err = c.EnsureLoadBalancer(context.Background(), createRequest("web"), fastPoll)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Len(t, srv.LoadBalancers(), 1)
}

// TestEnsureLoadBalancerWhenNothingAppears: a create with an unknown
// outcome that left nothing is listed again for the grace, never created
// again, and the error still says the outcome is unknown.
func TestEnsureLoadBalancerWhenNothingAppears(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	require.NoError(t, srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{ErrorRate: 1})) // a 500 before the action runs

	_, created, err := c.EnsureLoadBalancer(context.Background(), createRequest("web"),
		cdslb.WithPollInterval(time.Millisecond, time.Millisecond), cdslb.WithNotFoundGrace(5*time.Millisecond))
	require.ErrorIs(t, err, cdslb.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, cdslb.ErrInternalError, "the create's error is kept")
	assert.Contains(t, err.Error(), "list it by name before creating it again")
	assert.False(t, created)
	assert.Equal(t, 1, srv.Requests("CreateLoadBalancer"))
	assert.GreaterOrEqual(t, srv.Requests("DescribeLoadBalancers"), 3, "the first look, then the lists after the lost answer")
	assert.Empty(t, srv.LoadBalancers())
}

// TestEnsureLoadBalancerMatchesNamesExactly: the service's name filter
// matches substrings, and regions differ; neither instance is the one.
func TestEnsureLoadBalancerMatchesNamesExactly(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web-old"})
	srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web", RegionID: "CN_Beijing_A"})

	lb, created, err := srv.Client().EnsureLoadBalancer(context.Background(), createRequest("web"), fastPoll)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, "web", lb.InstanceName)
	assert.Equal(t, "CN_Hongkong_A", lb.RegionID)
	assert.Len(t, srv.LoadBalancers(), 3)
}

func TestEnsureLoadBalancerRefusesAnAmbiguousName(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	a := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web"})
	b := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web"})

	_, created, err := srv.Client().EnsureLoadBalancer(context.Background(), createRequest("web"), fastPoll)
	require.ErrorIs(t, err, cdslb.ErrAmbiguousName)
	assert.False(t, created)
	assert.Contains(t, err.Error(), a.InstanceUUID)
	assert.Contains(t, err.Error(), b.InstanceUUID)
	assert.Zero(t, srv.Requests("CreateLoadBalancer"))
}

// TestEnsureRefusesBadInputBeforeAnyCall: an invalid request, an Amount
// above one, a nil request, context or option send nothing.
func TestEnsureRefusesBadInputBeforeAnyCall(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	two := createRequest("web")
	two.Amount = 2
	noName := createRequest("")
	var noCtx context.Context
	for name, call := range map[string]func() error{
		"Amount 2":   func() error { _, _, err := c.EnsureLoadBalancer(ctx, two); return err },
		"no name":    func() error { _, _, err := c.EnsureLoadBalancer(ctx, noName); return err },
		"nil req":    func() error { _, _, err := c.EnsureLoadBalancer(ctx, nil); return err },
		"nil option": func() error { _, _, err := c.EnsureLoadBalancer(ctx, createRequest("web"), nil); return err },
		"nil ctx":    func() error { _, _, err := c.EnsureLoadBalancer(noCtx, createRequest("web")); return err },
		"nil cert":   func() error { _, _, err := c.EnsureCertificate(ctx, nil); return err },
		"bad cert": func() error {
			_, _, err := c.EnsureCertificate(ctx, &cdslb.UploadCACertificateRequest{Certificate: "x", PrivateKey: "y", CertificateName: "n"})
			return err
		},
	} {
		err := call()
		var ve *cdslb.ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Contains(t, []string{"EnsureLoadBalancer", "EnsureCertificate"}, ve.Action, name)
	}
	assert.Zero(t, srv.Requests("*"))
}

func TestEnsureCertificateTwiceGivesOneCertificate(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	certPEM, keyPEM := srv.NewCertificate("www.example.com")
	req := &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}

	first, created, err := c.EnsureCertificate(context.Background(), req)
	require.NoError(t, err)
	assert.True(t, created)
	require.Len(t, srv.Certificates(), 1)
	assert.Equal(t, srv.Certificates()[0], *first, "the certificate with its id")
	assert.NotEmpty(t, first.CertificateID)

	again, created, err := c.EnsureCertificate(context.Background(), req)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, first.CertificateID, again.CertificateID)
	assert.Equal(t, 1, srv.Requests("UploadCACertificate"))
}

func TestEnsureCertificateAfterALostAnswer(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	certPEM, keyPEM := srv.NewCertificate("www.example.com")
	require.NoError(t, srv.SetFault("UploadCACertificate", cdslbtest.Fault{DropAfterRate: 1}))

	cert, created, err := c.EnsureCertificate(context.Background(), &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
	require.NoError(t, err)
	assert.True(t, created)
	require.Len(t, srv.Certificates(), 1)
	assert.Equal(t, srv.Certificates()[0].CertificateID, cert.CertificateID)
	assert.Equal(t, 1, srv.Requests("UploadCACertificate"))
}

// TestEnsureCertificateRefusesAnotherCertificateOfTheName: the name is
// taken by a different certificate; nothing is uploaded, and the error
// never holds a private key.
func TestEnsureCertificateRefusesAnotherCertificateOfTheName(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	srv.AddCertificate("www", "www.example.com")
	certPEM, keyPEM := srv.NewCertificate("www.example.com")

	_, created, err := srv.Client().EnsureCertificate(context.Background(), &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
	require.ErrorIs(t, err, cdslb.ErrAmbiguousName)
	assert.False(t, created)
	assert.Contains(t, err.Error(), "another certificate")
	assert.NotContains(t, err.Error(), "PRIVATE KEY")
	assert.Zero(t, srv.Requests("UploadCACertificate"))
	assert.Len(t, srv.Certificates(), 1)
}

func TestErrAmbiguousNameIsItsOwnSentinel(t *testing.T) {
	t.Parallel()
	assert.False(t, errors.Is(cdslb.ErrAmbiguousName, cdslb.ErrInvalidRequest))
	assert.False(t, errors.Is(cdslb.ErrAmbiguousName, cdslb.ErrOutcomeUnknown))
}

func ExampleClient_EnsureLoadBalancer() {
	running := `{"Code":"Success","Data":[{"InstanceUuid":"lb-1","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"RUNNING"}]}`
	srv := fakeAPI(map[string][]string{
		"DescribeLoadBalancers": {`{"Code":"Success","Data":[]}`, running},
		"CreateLoadBalancer":    {`{"Code":"Success","Data":{"InstancesUuid":["lb-1"]},"TaskId":"task-1"}`},
	})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	req := &cdslb.CreateLoadBalancerRequest{RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-1",
		InstanceName: "web", PaasGoodsID: 5072,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}}}

	// Run it as often as you like: the name finds the instance made before.
	for range 2 {
		lb, created, err := c.EnsureLoadBalancer(context.Background(), req)
		if errors.Is(err, cdslb.ErrAmbiguousName) {
			log.Fatal("more than one load balancer is named web: ", err)
		}
		if err != nil {
			log.Fatal(err) // with ErrOutcomeUnknown: list by name before trying again
		}
		fmt.Println(lb.InstanceUUID, lb.Status, "created:", created)
	}
	// Output:
	// lb-1 RUNNING created: true
	// lb-1 RUNNING created: false
}

// TestEnsureLoadBalancerSkipsOneBeingDeleted: an instance of the name that
// is DELETING is not the one; a new one is created.
func TestEnsureLoadBalancerSkipsOneBeingDeleted(t *testing.T) {
	t.Parallel()
	deleting := `{"Code":"Success","Data":[{"InstanceUuid":"old","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"DELETING"}]}`
	running := `{"Code":"Success","Data":[{"InstanceUuid":"new","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"RUNNING"}]}`
	srv := fakeAPI(map[string][]string{
		"DescribeLoadBalancers": {deleting, running},
		"CreateLoadBalancer":    {`{"Code":"Success","Data":{"InstancesUuid":["new"]},"TaskId":"task-1"}`},
	})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	require.NoError(t, err)

	lb, created, err := c.EnsureLoadBalancer(context.Background(), createRequest("web"), fastPoll)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, "new", lb.InstanceUUID)
}

// TestEnsureLoadBalancerConcurrentlyGivesOneInstance: goroutines of one
// Client ensuring the same name wait for each other, so one creates and
// the others find what it created.
func TestEnsureLoadBalancerConcurrentlyGivesOneInstance(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids, created := map[string]int{}, 0
	for range 8 {
		wg.Go(func() {
			lb, made, err := c.EnsureLoadBalancer(context.Background(), createRequest("web"), fastPoll)
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[lb.InstanceUUID]++
			if made {
				created++
			}
		})
	}
	wg.Wait()
	assert.Len(t, ids, 1, "one instance for all")
	assert.Equal(t, 1, created)
	assert.Len(t, srv.LoadBalancers(), 1)
	assert.Equal(t, 1, srv.Requests("CreateLoadBalancer"))
}

// TestEnsureCertificateConcurrentlyGivesOneCertificate: the same for
// certificates.
func TestEnsureCertificateConcurrentlyGivesOneCertificate(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client()
	certPEM, keyPEM := srv.NewCertificate("www.example.com")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids, created := map[string]int{}, 0
	for range 8 {
		wg.Go(func() {
			cert, made, err := c.EnsureCertificate(context.Background(), &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[cert.CertificateID]++
			if made {
				created++
			}
		})
	}
	wg.Wait()
	assert.Len(t, ids, 1, "one certificate for all")
	assert.Equal(t, 1, created)
	assert.Len(t, srv.Certificates(), 1)
	assert.Equal(t, 1, srv.Requests("UploadCACertificate"))
}

// TestEnsureCertificateAfterAnotherUploadWon: another client uploads the
// name between this one's listing and its upload, which the service then
// refuses. The same certificate is returned as found; another one fails
// with ErrAmbiguousName. Nothing is uploaded twice.
func TestEnsureCertificateAfterAnotherUploadWon(t *testing.T) {
	t.Parallel()
	for _, same := range []bool{true, false} {
		srv := cdslbtest.NewServer(t)
		certPEM, keyPEM := srv.NewCertificate("www.example.com")
		theirs := &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}
		if !same {
			theirs.Certificate, theirs.PrivateKey = srv.NewCertificate("www.example.com")
		}
		var once sync.Once
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("Action") == "UploadCACertificate" {
				once.Do(func() {
					_, err := srv.Client().UploadCACertificate(r.Context(), theirs)
					assert.NoError(t, err, "the other upload")
				})
			}
			srv.Handler().ServeHTTP(w, r)
		}))
		defer front.Close()

		cert, created, err := srv.Client(cdslb.WithEndpoint(front.URL)).EnsureCertificate(context.Background(),
			&cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
		assert.False(t, created, "same %v", same)
		require.Len(t, srv.Certificates(), 1)
		assert.Equal(t, 2, srv.Requests("UploadCACertificate"), "theirs, and ours refused")
		if same {
			require.NoError(t, err)
			assert.Equal(t, srv.Certificates()[0].CertificateID, cert.CertificateID)
			continue
		}
		require.ErrorIs(t, err, cdslb.ErrAmbiguousName)
		assert.Contains(t, err.Error(), "another certificate")
		assert.Contains(t, err.Error(), "the upload was refused")
	}
}
