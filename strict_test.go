package cdslb

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cases of issue 19: answers that say two things, or whose values the
// library acts on cannot be read, are malformed, never one of their readings.

// anInstance is a listed load balancer with every value the library acts on.
func anInstance(status string) string {
	return `{"InstanceUuid":"` + waitUUID + `","InstanceName":"lb-1","RegionId":"CN_Hongkong_A","Status":"` + status + `"}`
}

// padded makes an answer over 64 KiB, where the library once read lists
// another way, by padding its instances with a long field.
func padded(entry string) string {
	return strings.Replace(entry, "{", `{"Pad":"`+strings.Repeat("x", 70<<10)+`",`, 1)
}

// TestEnvelopeMembersGivenTwiceAreMalformed: for every action, a Code,
// Message, TaskId or Data given twice, exactly or in another case, is
// malformed (ErrOutcomeUnknown too for a write), never either value: a
// failure's Code followed by "code":"Success" is no success, and a Success
// followed by a failure's "CODE" is no conflict to resend.
func TestEnvelopeMembersGivenTwiceAreMalformed(t *testing.T) {
	t.Parallel()
	for _, ac := range validCalls(t) {
		for _, tc := range []struct {
			status int
			body   string
		}{
			{http.StatusConflict, `{"Code":"ResourceInUse","Message":"busy","code":"Success"}`},
			{http.StatusOK, `{"Code":"Success","Data":{"InstancesUuid":["lb-new"]},"CODE":"ResourceInUse"}`},
			{http.StatusOK, `{"Code":"Success","Code":"Success"}`},
			{http.StatusOK, `{"Code":"Success","Message":"a","message":"b"}`},
			{http.StatusOK, `{"Code":"Success","TaskId":"t-1","taskid":"t-2"}`},
			{http.StatusOK, `{"Code":"Success","Data":null,"data":null}`},
		} {
			t.Run(ac.action+"/"+tc.body, func(t *testing.T) {
				t.Parallel()
				c, srv := newHostile(t, WithRetry(RetryPolicy{MaxAttempts: 3, RetryConflicts: true, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
				srv.answer(ac.action, tc.status, tc.body)
				resp, err := ac.call(context.Background(), c)
				require.ErrorIs(t, err, ErrMalformedAnswer)
				assert.True(t, resp == nil || isNilPointer(resp))
				assert.NotErrorIs(t, err, ErrResourceInUse)
				assert.Equal(t, !ac.readOnly, errors.Is(err, ErrOutcomeUnknown), "%v", err)
				if !ac.readOnly {
					assert.Len(t, srv.sentFor(ac.action), 1, "a write whose answer says two things is never resent")
				}
			})
		}
	}
}

// TestListedDataGivenTwiceIsMalformed: "Data":[<the instance>],"Data":[]
// is no empty list, small or large: Ensure does not create a second
// instance, WaitUntilDeleted does not report a DELETING instance deleted,
// EnsureCertificate uploads nothing.
func TestListedDataGivenTwiceIsMalformed(t *testing.T) {
	t.Parallel()
	for _, size := range []string{"small", "large"} {
		lb, cert := anInstance("DELETING"), `{"CertificateId":"c-1","CertificateName":"www"}`
		if size == "large" {
			lb, cert = padded(lb), padded(cert)
		}
		for _, twice := range []string{`"Data":[X],"Data":[]`, `"Data":[X],"data":[]`, `"DATA":[],"Data":[X]`} {
			lbs := `{"Code":"Success",` + strings.Replace(twice, "X", lb, 1) + `}`
			certs := `{"Code":"Success",` + strings.Replace(twice, "X", cert, 1) + `}`
			t.Run(size+"/"+twice, func(t *testing.T) {
				t.Parallel()
				c, srv := newHostile(t)
				srv.answer("DescribeLoadBalancers", http.StatusOK, lbs)
				srv.answer("DescribeCACertificates", http.StatusOK, certs)
				srv.answerFixture("CreateLoadBalancer")
				srv.answerFixture("UploadCACertificate")

				_, err := c.DescribeLoadBalancers(context.Background(), nil)
				require.ErrorIs(t, err, ErrMalformedAnswer)
				assert.Contains(t, err.Error(), "given twice")
				req := goodCreate()
				req.InstanceName = "lb-1"
				_, _, err = c.EnsureLoadBalancer(context.Background(), req)
				require.ErrorIs(t, err, ErrMalformedAnswer)
				assert.Empty(t, srv.sentFor("CreateLoadBalancer"), "no second instance")
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				err = c.WaitUntilDeleted(ctx, waitUUID, WithPollInterval(time.Millisecond, time.Millisecond))
				require.Error(t, err, "not deleted")
				certPEM, keyPEM := testCertificate(t, "ec")
				_, _, err = c.EnsureCertificate(context.Background(), &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
				require.ErrorIs(t, err, ErrMalformedAnswer)
				assert.Empty(t, srv.sentFor("UploadCACertificate"), "no second certificate")
			})
		}
	}
}

// TestEntryMembersGivenTwiceAreMalformed: an entry with a member given
// twice ("Status":"DELETING","status":"RUNNING") is read as neither:
// WaitUntilRunning does not succeed, at any size.
func TestEntryMembersGivenTwiceAreMalformed(t *testing.T) {
	t.Parallel()
	for _, entry := range []string{
		strings.Replace(anInstance("DELETING"), "}", `,"status":"RUNNING"}`, 1),
		strings.Replace(anInstance("DELETING"), "}", `,"Status":"RUNNING"}`, 1),
		strings.Replace(anInstance("RUNNING"), "}", `,"Vips":[{"IP":"1.1.1.1","ip":"2.2.2.2"}]}`, 1),
		padded(strings.Replace(anInstance("DELETING"), "}", `,"STATUS":"RUNNING"}`, 1)),
	} {
		t.Run(entry[:min(len(entry), 120)], func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t)
			srv.answer("DescribeLoadBalancers", http.StatusOK, `{"Code":"Success","Data":[`+entry+`]}`)
			_, err := c.DescribeLoadBalancers(context.Background(), nil)
			require.ErrorIs(t, err, ErrMalformedAnswer)
			assert.Contains(t, err.Error(), "given twice")
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			lb, err := c.WaitUntilRunning(ctx, waitUUID, WithPollInterval(time.Millisecond, time.Millisecond))
			require.Error(t, err, "never running")
			assert.Nil(t, lb)
		})
	}
}

// TestValuesActedOnMustBeReadable: a listed instance's name and site, which
// Ensure compares, and a listed certificate's name, must be strings and
// given: otherwise the answer is malformed and Ensure creates nothing.
func TestValuesActedOnMustBeReadable(t *testing.T) {
	t.Parallel()
	lb := `{"InstanceUuid":"` + waitUUID + `","Status":"RUNNING"`
	for _, entry := range []string{
		lb + `,"InstanceName":"lb-1"}`,
		lb + `,"InstanceName":"lb-1","RegionId":null}`,
		lb + `,"InstanceName":"lb-1","RegionId":7}`,
		lb + `,"InstanceName":["lb-1"],"RegionId":"CN_Hongkong_A"}`,
		lb + `,"InstanceName":"","RegionId":"CN_Hongkong_A"}`,
	} {
		t.Run(entry, func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t)
			srv.answer("DescribeLoadBalancers", http.StatusOK, `{"Code":"Success","Data":[`+entry+`]}`)
			srv.answerFixture("CreateLoadBalancer")
			req := goodCreate()
			req.InstanceName = "lb-1"
			_, _, err := c.EnsureLoadBalancer(context.Background(), req)
			require.ErrorIs(t, err, ErrMalformedAnswer)
			assert.Empty(t, srv.sentFor("CreateLoadBalancer"))
		})
	}
	for _, entry := range []string{`{"CertificateId":"c-1","CertificateName":["www"]}`, `{"CertificateId":"c-1"}`} {
		t.Run(entry, func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t)
			srv.answer("DescribeCACertificates", http.StatusOK, `{"Code":"Success","Data":[`+entry+`]}`)
			srv.answerFixture("UploadCACertificate")
			certPEM, keyPEM := testCertificate(t, "ec")
			_, _, err := c.EnsureCertificate(context.Background(), &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
			require.ErrorIs(t, err, ErrMalformedAnswer)
			assert.Empty(t, srv.sentFor("UploadCACertificate"))
		})
	}
}

// TestFirstBadEntryEndsTheList: every list the library reads stops at its
// first entry that is not an object, or lacks a required value, and names
// it, whatever follows.
func TestFirstBadEntryEndsTheList(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t)
	good := anInstance("RUNNING")
	srv.answer("DescribeLoadBalancers", http.StatusOK, `{"Code":"Success","Data":[`+good+`,`+good+`,null,{"x":`+strings.Repeat("[", 10)+strings.Repeat("]", 10)+`}]}`)
	_, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.ErrorIs(t, err, ErrMalformedAnswer)
	assert.Contains(t, err.Error(), "Data[2] is null where an object is due")
	c, srv = newHostile(t)
	srv.answer("DescribeLoadBalancers", http.StatusOK, `{"Code":"Success","Data":[`+good+`,{"InstanceUuid":"x","Status":"RUNNING"},null]}`)
	_, err = c.DescribeLoadBalancers(context.Background(), nil)
	require.ErrorIs(t, err, ErrMalformedAnswer)
	assert.Contains(t, err.Error(), "Data[1] has no InstanceName")
}

// TestListedInstancesShareRepeatedValues: the values one account's
// instances repeat (status, site, project, address types) are held once
// in a listing, however many instances repeat them.
func TestListedInstancesShareRepeatedValues(t *testing.T) {
	t.Parallel()
	entry := `{"InstanceUuid":"i-%d","InstanceName":"lb-%d","RegionId":"CN_Hongkong_A","Status":"RUNNING","ProjectName":"project of the platform team, production","Vips":[{"IP":"10.0.0.%d","Type":"private"}]}`
	var entries []string
	for i := range 3 {
		entries = append(entries, strings.ReplaceAll(entry, "%d", strconv.Itoa(i)))
	}
	c := inMemory(t, []byte(`{"Code":"Success","Data":[`+strings.Join(entries, ",")+`]}`))
	resp, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, resp.LoadBalancers, 3)
	a, b := resp.LoadBalancers[0], resp.LoadBalancers[2]
	for _, pair := range [][2]string{{a.Status, b.Status}, {a.RegionID, b.RegionID}, {a.ProjectName, b.ProjectName}, {a.VIPs[0].Type, b.VIPs[0].Type}} {
		assert.Equal(t, unsafe.StringData(pair[0]), unsafe.StringData(pair[1]), "%q is held once", pair[0])
	}
	assert.NotEqual(t, a.InstanceUUID, b.InstanceUUID)
}
