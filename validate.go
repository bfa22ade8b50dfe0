package cdslb

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the rules each request is checked against before anything
// is sent: the parameters the vendor document requires, the id of the
// resource an action is addressed to, and the ranges and formats the
// document states. Nothing stricter: a rule the service does not have would
// block real callers.

// validateRequest checks what every request must satisfy, then the
// action's own rules. Every string must be valid UTF-8: encoding/json would
// replace invalid bytes with U+FFFD on the wire, sending something other
// than what the caller wrote, and a query would carry them as they are.
func validateRequest(r request) error {
	if field, ok := invalidUTF8(reflect.ValueOf(r), ""); ok {
		return invalid(field, "is not valid UTF-8")
	}
	return r.validate()
}

// invalidUTF8 returns the path of the first string in v, or in the
// exported fields, elements and map entries within it, that is not valid
// UTF-8.
func invalidUTF8(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return invalidUTF8(v.Elem(), path)
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return path, true
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := f.Name
			if f.Anonymous {
				p = path // an embedded struct's fields are the outer struct's
			} else if path != "" {
				p = path + "." + f.Name
			}
			if bad, ok := invalidUTF8(v.Field(i), p); ok {
				return bad, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if bad, ok := invalidUTF8(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); ok {
				return bad, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			p := fmt.Sprintf("%s[%q]", path, fmt.Sprint(it.Key()))
			if bad, ok := invalidUTF8(it.Key(), p); ok {
				return bad, true
			}
			if bad, ok := invalidUTF8(it.Value(), p); ok {
				return bad, true
			}
		}
	}
	return "", false
}

func required(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return invalid(field, "is required")
	}
	return nil
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *DescribeZonesRequest) validate() error          { return nil }
func (r *DescribeCACertificatesRequest) validate() error { return nil }
func (r *DescribeLoadBalancersRequest) validate() error  { return nil }
func (r *DescribeLoadBalancersSpecRequest) validate() error {
	return required("RegionID", r.RegionID)
}
func (r *DescribeLoadBalancersModifySpecRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}
func (r *DeleteLoadBalancerRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}
func (r *DescribeLoadBalancerStrategysRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}
func (r *DescribeHaproxyCustomConfigRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}
func (r *DescribeLBInstanceListenersRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}
func (r *DescribeCACertificateRequest) validate() error {
	return required("CertificateID", r.CertificateID)
}
func (r *DeleteCACertificateRequest) validate() error {
	return required("CertificateID", r.CertificateID)
}
func (r *ModifyLoadBalancerNameRequest) validate() error {
	return firstError(required("InstanceUUID", r.InstanceUUID), required("InstanceName", r.InstanceName))
}
func (r *ModifyHaproxyCustomConfigRequest) validate() error {
	return firstError(required("InstanceUUID", r.InstanceUUID), required("Configs", r.Configs))
}

func (r *ModifyLoadBalancerInstanceSpecRequest) validate() error {
	return firstError(required("InstanceUUID", r.InstanceUUID), positive("PaasGoodsID", r.PaasGoodsID))
}

func positive(field string, n int) error {
	if n <= 0 {
		return invalid(field, "must be a positive id, got %d", n)
	}
	return nil
}

func (r *CreateLoadBalancerRequest) validate() error {
	err := firstError(required("RegionID", r.RegionID), required("VdcID", r.VdcID),
		required("BasePipeID", r.BasePipeID), required("InstanceName", r.InstanceName),
		positive("PaasGoodsID", r.PaasGoodsID))
	if err != nil {
		return err
	}
	if r.Amount < 0 || r.Amount > 3 {
		return invalid("Amount", "must be between 1 and 3 (0 means the service's default, 1), got %d", r.Amount)
	}
	if len(r.IPs) == 0 {
		return invalid("IPs", "must name at least one network")
	}
	for i, ip := range r.IPs {
		f := fmt.Sprintf("IPs[%d].", i)
		if ip.PipeType != PipeTypePrivate && ip.PipeType != PipeTypePublic {
			return invalid(f+"PipeType", "must be %q or %q, got %q", PipeTypePrivate, PipeTypePublic, ip.PipeType)
		}
		if err := required(f+"PipeID", ip.PipeID); err != nil {
			return err
		}
		if ip.PipeType == PipeTypePublic && strings.TrimSpace(ip.SegmentID) == "" {
			return invalid(f+"SegmentID", "is required for a public network")
		}
	}
	return nil
}

// maxPerformanceSpan is the longest span the monitoring service serves.
const maxPerformanceSpan = 30 * 24 * time.Hour

func (r *DescribeLBInstancePerformanceRequest) validate() error {
	err := firstError(required("InstanceUUID", r.InstanceUUID), required("MetricKey", string(r.MetricKey)))
	switch {
	case err != nil:
		return err
	case r.StartTime.IsZero():
		return invalid("StartTime", "is required")
	case r.EndTime.IsZero():
		return invalid("EndTime", "is required")
	case !r.EndTime.After(r.StartTime):
		return invalid("EndTime", "must be after StartTime")
	case r.EndTime.Sub(r.StartTime) > maxPerformanceSpan:
		return invalid("EndTime", "must be at most 30 days after StartTime, got %s", r.EndTime.Sub(r.StartTime))
	case r.MetricKey.IsListenerMetric() && strings.TrimSpace(r.ListenerName) == "":
		return invalid("ListenerName", "is required for the listener metric %s", r.MetricKey)
	}
	return nil
}

func (r *UploadCACertificateRequest) validate() error {
	err := firstError(required("Certificate", r.Certificate), required("PrivateKey", r.PrivateKey),
		required("CertificateName", r.CertificateName))
	if err != nil {
		return err
	}
	var leaf *x509.Certificate
	rest := []byte(r.Certificate)
	for n := 0; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			if n == 0 {
				return invalid("Certificate", "holds no PEM certificate")
			}
			break
		}
		if block.Type != "CERTIFICATE" {
			return invalid("Certificate", "holds a PEM block of type %q; want only CERTIFICATE blocks", block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return invalid("Certificate", "certificate %d does not parse: %v", n+1, err)
		}
		if leaf == nil {
			leaf = cert
		}
	}
	key, err := parsePrivateKey(r.PrivateKey)
	if err != nil {
		return invalid("PrivateKey", "%v", err) // the parser's messages never quote the key
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return invalid("PrivateKey", "does not match the first (leaf) certificate")
	}
	return nil
}

// parsePrivateKey reads a PEM private key in PKCS #1, PKCS #8 or SEC 1 (EC) form.
func parsePrivateKey(s string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("holds no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("is not a PKCS #1, PKCS #8 or EC private key")
	}
	if s, ok := k.(crypto.Signer); ok {
		return s, nil
	}
	return nil, fmt.Errorf("holds a key of an unsupported type")
}

func (r *ModifyLoadBalancerStrategysRequest) validate() error {
	return firstError(required("InstanceUUID", r.InstanceUUID), validateListeners(r.HTTPListeners, r.TCPListeners))
}

func (r *AddLoadBalancerStrategysRequest) validate() error {
	return firstError(required("InstanceUUID", r.InstanceUUID), validateListeners(r.HTTPListeners, r.TCPListeners))
}

// reservedPorts are used by the instance itself.
var reservedPorts = map[int]bool{22: true, 1080: true, 9100: true, 9101: true}

var cookieKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,13}[a-z0-9]$`)

// maxCookieTimer is the longest MaxIdle or MaxLife of session persistence.
const maxCookieTimer = 7200 * time.Second

// validateListeners checks each listener and that names and ports are
// unique across the whole request.
func validateListeners(httpListeners []HTTPListener, tcpListeners []TCPListener) error {
	names, ports := map[string]string{}, map[int]string{}
	check := func(f string, l listenerFields) error {
		if err := validateListener(f, l); err != nil {
			return err
		}
		if prev, ok := names[*l.name]; ok {
			return invalid(f+"ListenerName", "%q is also the name of %s", *l.name, prev)
		}
		if prev, ok := ports[*l.port]; ok {
			return invalid(f+"ListenerPort", "%d is also the port of %s", *l.port, prev)
		}
		names[*l.name], ports[*l.port] = strings.TrimSuffix(f, "."), strings.TrimSuffix(f, ".")
		return nil
	}
	for i := range httpListeners {
		l := &httpListeners[i]
		f := fmt.Sprintf("HTTPListeners[%d].", i)
		if err := firstError(check(f, l.fields()), validateHTTPExtras(f, l)); err != nil {
			return err
		}
	}
	for i := range tcpListeners {
		l := &tcpListeners[i]
		f := fmt.Sprintf("TCPListeners[%d].", i)
		if err := check(f, l.fields()); err != nil {
			return err
		}
		if l.EnableRepeaterMode && !l.EnableSourceIP {
			return invalid(f+"EnableRepeaterMode", "needs EnableSourceIP")
		}
	}
	return nil
}

func validateListener(f string, l listenerFields) error {
	name := strings.TrimSpace(*l.name)
	switch {
	case name == "":
		return invalid(f+"ListenerName", "is required")
	case utf8.RuneCountInString(*l.name) > 50:
		return invalid(f+"ListenerName", "must be at most 50 characters")
	case *l.port < 1 || *l.port > 65535:
		return invalid(f+"ListenerPort", "must be between 1 and 65535, got %d", *l.port)
	case reservedPorts[*l.port]:
		return invalid(f+"ListenerPort", "%d is reserved (22, 1080, 9100 and 9101 are)", *l.port)
	}
	switch *l.scheduler {
	case SchedulerRoundRobin, SchedulerLeastConn, SchedulerStaticRR, SchedulerSource:
	default:
		return invalid(f+"Scheduler", "must be roundrobin, leastconn, static-rr or source, got %q", *l.scheduler)
	}
	if *l.maxConn < 0 {
		return invalid(f+"MaxConn", "must not be negative")
	}
	for _, t := range []struct {
		name string
		d    time.Duration
	}{{"ConnectTimeout", *l.connect}, {"ClientTimeout", *l.client}, {"ServerTimeout", *l.server}} {
		if t.d < 0 || t.d%time.Millisecond != 0 {
			return invalid(f+t.name, "must be a non-negative whole number of milliseconds, got %s", t.d)
		}
	}
	for i, entry := range *l.acl {
		if !isIPv4OrCIDR(entry) {
			return invalid(fmt.Sprintf("%sACLWhiteList[%d]", f, i), "must be an IPv4 address or CIDR block, got %q", entry)
		}
	}
	for i, b := range *l.backends {
		bf := fmt.Sprintf("%sBackendServers[%d].", f, i)
		switch {
		case strings.TrimSpace(b.IP) == "":
			return invalid(bf+"IP", "is required")
		case b.Port < 1 || b.Port > 65535:
			return invalid(bf+"Port", "must be between 1 and 65535, got %d", b.Port)
		case b.Weight < 1 || b.Weight > 256:
			return invalid(bf+"Weight", "must be between 1 and 256, got %d", b.Weight)
		case b.MaxConn < 0:
			return invalid(bf+"MaxConn", "must not be negative")
		}
	}
	return nil
}

func isIPv4OrCIDR(s string) bool {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Addr().Is4()
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// validateHTTPExtras checks what only HTTP listeners have.
func validateHTTPExtras(f string, l *HTTPListener) error {
	for i, c := range l.Certificates {
		if err := required(fmt.Sprintf("%sCertificates[%d].CertificateID", f, i), c.CertificateID); err != nil {
			return err
		}
	}
	if sp := l.SessionPersistence; sp != nil {
		sf := f + "SessionPersistence."
		switch {
		case !cookieKey.MatchString(sp.Key):
			return invalid(sf+"Key", "must be 2-15 characters of a-z, 0-9 and _, start with a letter and end with a letter or digit, got %q", sp.Key)
		case sp.Mode < CookieModeDefault || sp.Mode > CookieModeTransparent:
			return invalid(sf+"Mode", "is not a CookieMode: %d", sp.Mode)
		}
		if d := sp.MaxIdle; d < 0 || d > maxCookieTimer || d%time.Second != 0 {
			return invalid(sf+"MaxIdle", "must be whole seconds from 0 to 2h, got %s", d)
		}
		if d := sp.MaxLife; d < 0 || d > maxCookieTimer || d%time.Second != 0 {
			return invalid(sf+"MaxLife", "must be whole seconds from 0 to 2h, got %s", d)
		}
		if sp.MaxIdle != 0 && sp.MaxLife != 0 && sp.MaxLife <= sp.MaxIdle {
			return invalid(sf+"MaxLife", "must be more than MaxIdle")
		}
	}
	if hc := l.HealthCheck; hc != nil {
		switch hc.Method {
		case "", "GET", "HEAD", "OPTIONS":
		default:
			return invalid(f+"HealthCheck.Method", "must be GET, HEAD or OPTIONS, got %q", hc.Method)
		}
	}
	return nil
}
