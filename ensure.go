package cdslb

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// This file holds the find-or-create helpers. The API has no idempotency
// token and an upload returns no id, so a resource is found by its name:
// it is listed before anything is created, and listed again, never
// created again, when a create's outcome is unknown.

// EnsureLoadBalancer returns the load balancer named req.InstanceName in
// req.RegionID, creating it with req (POST CreateLoadBalancer) only when
// there is none, and waits until it is RUNNING (the options are the
// waiters': WithPollInterval, WithNotFoundGrace). created reports whether
// this call created it, also when the wait then fails.
//
// Names are compared exactly, on the client: the service's InstanceName
// filter matches substrings. Only the name and the region are compared: an
// instance found is returned whatever its size or networks. An instance
// that is DELETING does not count. More than one instance of the name
// fails with ErrAmbiguousName, and nothing is created.
//
// If the create's outcome is unknown (ErrOutcomeUnknown), it lists the
// instances again, never creating again, for up to the not-found grace of
// waiting between lists (one minute by default), and goes on with the
// instance it finds. If none appears, the error still matches
// ErrOutcomeUnknown, and the Client remembers the create as pending: for
// PendingCreatePeriod (10 minutes, by the Client's clock), or until the
// instance shows up in a list, its EnsureLoadBalancer calls for the name
// and region list, and list again for up to the not-found grace, but
// never create; if it still does not show up, they fail with an error
// that matches ErrOutcomeUnknown. So a call whose context ended while the
// service was still placing the order does not make the next call buy a
// second instance. A create that ends any other way before its instance
// is listed (the wait ends before it sees it, or an Observer's panic ends the call) stays
// pending the same way; only a refusal ends it at once.
//
// Calls on one Client for the same name and region wait for each other,
// so that its goroutines make one instance: the others find it. If the
// context ends while waiting, the error wraps the context's. Across
// Clients or processes nothing is serialized, and the API has no
// idempotency token: concurrent callers may each create one, and the
// next Ensure fails with ErrAmbiguousName. Give each name one owner, or
// handle ErrAmbiguousName by deleting the extra instances.
//
// The request is checked before anything is sent, as CreateLoadBalancer
// checks it, and Amount must be 0 or 1 (a *ValidationError otherwise).
func (c *Client) EnsureLoadBalancer(ctx context.Context, req *CreateLoadBalancerRequest, opts ...WaitOption) (lb *LoadBalancer, created bool, err error) {
	ctx, obs := c.startOperation(ctx, "EnsureLoadBalancer", "")
	defer obs.end(&err)
	const helper = "EnsureLoadBalancer"
	cfg, err := c.helperStart(ctx, helper, req, opts)
	if err != nil {
		return nil, false, err
	}
	ctx, listed := withRedactorSlot(ctx) // to bound the ids an error quotes
	if req.Amount > 1 {
		return nil, false, &ValidationError{Action: helper, Field: "Amount", Reason: fmt.Sprintf("must be 0 or 1: one instance is found or created, got %d", req.Amount)}
	}
	key := ensureKey{c, "load balancer", req.RegionID, req.InstanceName}
	unlock, err := ensuring.lock(ctx, helper, key)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	var found []LoadBalancer
	find := func() (bool, error) {
		var ferr error
		found, ferr = c.loadBalancersNamed(ctx, req)
		return len(found) > 0, ferr
	}
	if _, err := find(); err != nil {
		return nil, false, err
	}
	if err := c.awaitPending(ctx, &cfg, helper, key, len(found) > 0, find); err != nil {
		return nil, false, err
	}
	if len(found) > 1 {
		return nil, false, ambiguousLoadBalancers(helper, req, found, "nothing was created", listed.r)
	}
	if len(found) == 1 {
		lb, err := c.WaitUntilRunning(ctx, found[0].InstanceUUID, opts...)
		return lb, false, err
	}

	var id string
	c.pending.add(key, c.timeNow()) // until listed or refused (pendingCreates)
	resp, err := creating(ctx, c, key, func(ctx context.Context) (*CreateLoadBalancerResponse, error) { return c.CreateLoadBalancer(ctx, req) })
	switch {
	case err == nil:
		for _, uuid := range resp.InstanceUUIDs {
			if id = strings.TrimSpace(uuid); id != "" {
				break
			}
		}
	case errors.Is(err, ErrOutcomeUnknown):
		createErr := err
		err = relist(ctx, &cfg, find)
		switch {
		case err != nil:
			c.pending.add(key, c.timeNow())
			return nil, false, lostAnswer(helper, fmt.Sprintf("load balancer %q in region %s", req.InstanceName, req.RegionID), createErr, err)
		case len(found) > 1:
			err := ambiguousLoadBalancers(helper, req, found, "after a create whose answer was lost ("+plain(createErr)+"); nothing more was created", listed.r)
			err.sentinel = errors.Join(ErrAmbiguousName, createErr)
			return nil, false, err
		}
		id = found[0].InstanceUUID
		c.pending.done(key) // listed
	default:
		c.pending.done(key) // refused: nothing was created
		return nil, false, err
	}
	lb, err = c.WaitUntilRunning(ctx, id, opts...)
	if we := (*WaitError)(nil); err == nil || errors.As(err, &we) && we.Status != "" {
		c.pending.done(key) // listed: the wait saw its status
	}
	return lb, true, err
}

// awaitPending keeps a Client from creating again what one of its calls
// may have created: when key has a create of unknown outcome pending
// (pendingCreates) and listed is false, it lists again with find for up
// to the not-found grace, never creating, and fails, matching
// ErrOutcomeUnknown, if the create still does not show up. Once it shows
// up, key is no longer pending.
func (c *Client) awaitPending(ctx context.Context, cfg *waitConfig, helper string, key ensureKey, listed bool, find func() (bool, error)) error {
	until, pending := c.pending.get(key, c.timeNow())
	switch {
	case !pending:
		return nil
	case listed:
		c.pending.done(key)
		return nil
	}
	if err := relist(ctx, cfg, find); err != nil {
		return &editError{helper, fmt.Sprintf("an earlier create of the %s on this client has an unknown outcome, and it is not listed (%s): "+
			"this client will not create it again before it shows up or until %s", key.what(), plain(err), until.UTC().Format(time.RFC3339)),
			errors.Join(ErrOutcomeUnknown, err)}
	}
	c.pending.done(key)
	return nil
}

// loadBalancersNamed lists the instances of req's name and region that
// are not being deleted.
func (c *Client) loadBalancersNamed(ctx context.Context, req *CreateLoadBalancerRequest) ([]LoadBalancer, error) {
	resp, err := c.DescribeLoadBalancers(ctx, &DescribeLoadBalancersRequest{InstanceName: req.InstanceName})
	if err != nil {
		return nil, err
	}
	var found []LoadBalancer
	for _, lb := range resp.LoadBalancers {
		if lb.InstanceName == req.InstanceName && lb.RegionID == req.RegionID && lb.Status != StatusDeleting {
			found = append(found, lb)
		}
	}
	return found, nil
}

// ambiguousLoadBalancers is the error of a name that more than one
// instance has; red is the list's, to bound the ids it quotes.
func ambiguousLoadBalancers(helper string, req *CreateLoadBalancerRequest, found []LoadBalancer, after string, red *redactor) *editError {
	ids := make([]string, min(len(found), 10))
	for i := range ids {
		ids[i] = boundMessage(found[i].InstanceUUID, red)
	}
	if len(found) > len(ids) {
		ids = append(ids, "...")
	}
	return &editError{helper, fmt.Sprintf("%d load balancers are named %q in region %s (%s), %s",
		len(found), req.InstanceName, req.RegionID, strings.Join(ids, ", "), after), ErrAmbiguousName}
}

// EnsureCertificate returns the certificate named req.CertificateName,
// uploading req (POST UploadCACertificate) only when there is none, with
// its id, which the upload alone does not return: after an upload it lists
// the certificates until the new one appears. created reports whether
// this call uploaded it.
//
// Names are compared exactly. A certificate of the name is the same as
// req's when its leaf (the first certificate of the chain) is the same, in
// DER form, as req's leaf: DescribeCACertificate's chain is compared, not
// the listing's domain and dates, which another certificate may share.
// Line breaks and the rest of the chain do not count; the private key is
// never compared or kept. A name held by another certificate, or by more
// than one, or by one whose stored chain cannot be read, fails with
// ErrAmbiguousName, and nothing is uploaded.
//
// If the upload's outcome is unknown (ErrOutcomeUnknown), it lists the
// certificates again for up to a minute of waiting between lists, never
// uploading again; if none appears, the error still matches
// ErrOutcomeUnknown, and the upload stays pending on the Client as
// EnsureLoadBalancer's create does (PendingCreatePeriod): later calls for
// the name list but do not upload until it shows up or the period ends;
// so does an upload the service accepted whose certificate is not listed
// within that minute, and one ended by an Observer's panic. If the upload is refused and a certificate of the
// name now exists (another caller uploaded it meanwhile), that one is
// compared as if found before: the same is returned with created false,
// another fails with ErrAmbiguousName.
//
// Calls on one Client for the same name wait for each other, as
// EnsureLoadBalancer's do. The request is checked before anything is
// sent, as UploadCACertificate checks it.
func (c *Client) EnsureCertificate(ctx context.Context, req *UploadCACertificateRequest) (cert *Certificate, created bool, err error) {
	ctx, obs := c.startOperation(ctx, "EnsureCertificate", "")
	defer obs.end(&err)
	const helper = "EnsureCertificate"
	cfg, err := c.helperStart(ctx, helper, req, nil)
	if err != nil {
		return nil, false, err
	}
	key := ensureKey{c, "certificate", "", req.CertificateName}
	unlock, err := ensuring.lock(ctx, helper, key)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	leaf, _ := pem.Decode([]byte(req.Certificate)) // validated: it parses
	var found []Certificate
	find := func() (bool, error) {
		var ferr error
		found, ferr = c.certificatesNamed(ctx, req.CertificateName)
		return len(found) > 0, ferr
	}
	if _, err := find(); err != nil {
		return nil, false, err
	}
	if err := c.awaitPending(ctx, &cfg, helper, key, len(found) > 0, find); err != nil {
		return nil, false, err
	}
	outcome := "nothing was uploaded"
	if len(found) == 0 {
		c.pending.add(key, c.timeNow()) // until listed or refused (pendingCreates)
		_, err := creating(ctx, c, key, func(ctx context.Context) (*UploadCACertificateResponse, error) {
			return c.UploadCACertificate(ctx, req)
		})
		switch {
		case err != nil && !errors.Is(err, ErrOutcomeUnknown):
			c.pending.done(key) // refused: nothing was uploaded
			// Refused: perhaps because another caller has just
			// uploaded the name. Then that one is compared as found.
			if _, ferr := find(); ferr != nil || len(found) == 0 {
				return nil, false, err
			}
			outcome = "the upload was refused (" + plain(err) + ")"
		default:
			created, outcome = true, "found after uploading the request's"
			if rerr := relist(ctx, &cfg, find); rerr != nil {
				c.pending.add(key, c.timeNow()) // uploaded, or perhaps: not listed yet
				what := fmt.Sprintf("certificate %q", req.CertificateName)
				if err != nil {
					return nil, false, lostAnswer(helper, what, err, rerr)
				}
				return nil, true, fmt.Errorf("cdslb: %s: %s was uploaded but not found by name: %w", helper, what, rerr)
			}
			c.pending.done(key) // listed
		}
	}
	if len(found) > 1 {
		return nil, created, &editError{helper, fmt.Sprintf("%d certificates are named %q; %s", len(found), req.CertificateName, outcome), ErrAmbiguousName}
	}
	detail, err := c.DescribeCACertificate(ctx, &DescribeCACertificateRequest{CertificateID: found[0].CertificateID})
	if err != nil {
		return nil, created, err
	}
	stored, _ := pem.Decode([]byte(detail.Certificate.CertificatePEM))
	switch {
	case stored == nil || stored.Type != "CERTIFICATE":
		return nil, created, &editError{helper, fmt.Sprintf("certificate %s named %q has a chain that cannot be read, so it cannot be compared with the request; %s",
			found[0].CertificateID, req.CertificateName, outcome), ErrAmbiguousName}
	case !bytes.Equal(stored.Bytes, leaf.Bytes):
		return nil, created, &editError{helper, fmt.Sprintf("certificate %s named %q is another certificate (%s, valid until %s); %s",
			found[0].CertificateID, req.CertificateName, leafSummary(stored.Bytes), found[0].EndTime.Format(time.DateOnly), outcome), ErrAmbiguousName}
	}
	return &found[0], created, nil
}

// certificatesNamed lists the certificates of the name.
func (c *Client) certificatesNamed(ctx context.Context, name string) ([]Certificate, error) {
	resp, err := c.DescribeCACertificates(ctx, nil)
	if err != nil {
		return nil, err
	}
	var found []Certificate
	for _, cert := range resp.Certificates {
		if cert.CertificateName == name {
			found = append(found, cert)
		}
	}
	return found, nil
}

// leafSummary names a certificate by its subject, for an error.
func leafSummary(der []byte) string {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "unreadable"
	}
	return "subject " + cert.Subject.String()
}

// helperStart checks what a find-or-create helper is given, before any
// call, and returns the waiters' configuration of opts.
func (c *Client) helperStart(ctx context.Context, helper string, req interface{ validate() error }, opts []WaitOption) (waitConfig, error) {
	if err := checkHelper(c, ctx, helper); err != nil {
		return waitConfig{}, err
	}
	if reflect.ValueOf(req).IsNil() {
		return waitConfig{}, &ValidationError{Action: helper, Field: "req", Reason: "must not be nil"}
	}
	if err := validateRequest(helper, req); err != nil {
		return waitConfig{}, err
	}
	return c.waitConfig(helper, opts)
}

// relist calls find until it finds what it looks for, waiting between
// calls as a waiter polls, for up to the not-found grace of waiting in
// all. Errors that may pass are polled through; it returns the others,
// the context's, and errNotListed when the grace runs out.
func relist(ctx context.Context, cfg *waitConfig, find func() (bool, error)) error {
	var waited time.Duration
	for n := len(cfg.opening); ; n++ { // the pauses after the schedule's opening
		ok, err := find()
		switch {
		case ok && err == nil:
			return nil
		case err != nil && (!mayPass(err) || ctx.Err() != nil):
			return err
		case waited >= cfg.notFoundGrace:
			if err != nil {
				return err
			}
			return fmt.Errorf("%w after %v of listing", errNotListed, waited.Round(time.Second))
		}
		d, err := cfg.pause(ctx, n)
		if err != nil {
			return err
		}
		waited = addSaturated(waited, d)
	}
}

var errNotListed = errors.New("not listed")

// lostAnswer is the error of a helper whose create's outcome is unknown
// and whose listing did not find what it may have created. It matches
// ErrOutcomeUnknown, and the listing's error.
func lostAnswer(helper, what string, createErr, listErr error) error {
	return &editError{helper, fmt.Sprintf("%s; listing again found no %s (%s): it may still appear, so list it by name before creating it again",
		plain(createErr), what, plain(listErr)), errors.Join(createErr, listErr)}
}

// plain is an error's text without the package's prefix, to quote it in another.
func plain(err error) string { return strings.TrimPrefix(err.Error(), "cdslb: ") }

// ensuring serializes the find-or-create helpers of one Client for one
// name, so that its goroutines find what one of them creates instead of
// each creating it. Other Clients and processes are not serialized.
var ensuring keyedLock[ensureKey]

// ensureKey is what ensuring serializes on.
type ensureKey struct {
	c                  *Client
	kind, region, name string
}

func (k ensureKey) what() string { return fmt.Sprintf("%s %q", k.kind, k.name) }
