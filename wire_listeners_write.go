package cdslb

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cdsgo/cdslb/internal/wire"
)

// This file writes a listener set as the API reads it, byte for byte what
// json.Marshal writes for the set's wire structs (the reference its tests
// hold it to, in wire_listeners_write_test.go), without building them: no
// copy of each listener, no string per number, no custom marshaler for the
// switches.

// listenerSetBody is the body of ModifyLoadBalancerStrategys and
// AddLoadBalancerStrategys. The lists are sent as [] when empty, never null,
// except that optionalTCP leaves out an empty TcpListeners.
type listenerSetBody struct {
	instanceUUID string
	http         []HTTPListener
	tcp          []TCPListener
	optionalTCP  bool
}

// appendJSON appends the set's JSON to b.
func (s listenerSetBody) appendJSON(b []byte) []byte {
	b = append(b, `{"InstanceUuid":`...)
	b = appendString(b, s.instanceUUID)
	b = append(b, `,"HttpListeners":[`...)
	for i := range s.http {
		b = appendHTTPListener(comma(b, i), &s.http[i])
	}
	b = append(b, ']')
	if len(s.tcp) > 0 || !s.optionalTCP {
		b = append(b, `,"TcpListeners":[`...)
		for i := range s.tcp {
			b = appendTCPListener(comma(b, i), &s.tcp[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// size is about the length of the set's JSON, a little more when its
// numbers are short, so that one allocation holds it.
func (s listenerSetBody) size() int {
	n := 64 + len(s.instanceUUID)
	for i := range s.http {
		l := &s.http[i]
		n += 48 + listenerSize(l.fields())
		for _, c := range l.Certificates {
			n += 40 + len(c.CertificateID) + len(c.CertificateName)
		}
		if l.SessionPersistence != nil {
			n += 80 + len(l.SessionPersistence.Key)
		}
		if l.HealthCheck != nil {
			n += 48 + len(l.HealthCheck.URI)
		}
	}
	for i := range s.tcp {
		n += 56 + listenerSize(s.tcp[i].fields())
	}
	return n
}

func listenerSize(f listenerFields) int {
	n := 300 + len(*f.name) + len(*f.scheduler)
	for _, a := range *f.acl {
		n += 3 + len(a)
	}
	for _, b := range *f.backends {
		n += 56 + len(b.IP)
	}
	return n
}

func appendHTTPListener(b []byte, l *HTTPListener) []byte {
	b = appendCommon(b, l.fields(), ListenerModeHTTP)
	b = append(b, `,"StickySession":`...)
	b = appendString(b, onOff(l.StickySession))
	b = append(b, `,"CertificateIds":[`...)
	for i, c := range l.Certificates {
		b = append(comma(b, i), `{"CertificateId":`...)
		b = appendString(b, c.CertificateID)
		b = append(b, `,"CertificateName":`...)
		b = append(appendString(b, c.CertificateName), '}')
	}
	b = append(b, ']')
	if sp := l.SessionPersistence; sp != nil {
		b = append(b, `,"SessionPersistence":{"Key":`...)
		b = appendString(b, sp.Key)
		if sp.Mode != CookieModeDefault {
			b = strconv.AppendInt(append(b, `,"Mode":`...), int64(int(sp.Mode)-1), 10)
		}
		if sp.MaxIdle != 0 || sp.MaxLife != 0 {
			b = strconv.AppendInt(append(b, `,"Timer":{"MaxIdle":`...), int64(int(sp.MaxIdle/time.Second)), 10)
			b = append(strconv.AppendInt(append(b, `,"MaxLife":`...), int64(int(sp.MaxLife/time.Second)), 10), '}')
		}
		b = append(b, '}')
	}
	if hc := l.HealthCheck; hc != nil {
		b = append(b, `,"Option":{"Httpchk":{`...)
		if hc.Method != "" {
			b = append(appendString(append(b, `"Method":`...), hc.Method), ',')
		}
		b = append(appendString(append(b, `"Uri":`...), hc.URI), "}}"...)
	}
	return append(b, '}')
}

func appendTCPListener(b []byte, l *TCPListener) []byte {
	b = appendCommon(b, l.fields(), ListenerModeTCP)
	if l.EnableSourceIP {
		b = append(b, `,"EnableSourceIp":"on"`...)
	}
	if l.EnableRepeaterMode {
		b = append(b, `,"EnableRepeaterMode":"on"`...)
	}
	return append(b, '}')
}

// appendCommon opens a listener's object with what both kinds share.
func appendCommon(b []byte, f listenerFields, mode string) []byte {
	b = append(b, `{"ListenerName":`...)
	b = appendString(b, *f.name)
	b = append(append(append(b, `,"ListenerMode":"`...), mode...), `","ListenerPort":`...)
	b = strconv.AppendInt(b, int64(*f.port), 10)
	b = append(b, `,"Scheduler":`...)
	b = appendString(b, string(*f.scheduler))
	b = strconv.AppendInt(append(b, `,"MaxConn":`...), int64(*f.maxConn), 10)
	b = appendTimeout(b, "ConnectTimeout", *f.connect)
	b = appendTimeout(b, "ClientTimeout", *f.client)
	b = appendTimeout(b, "ServerTimeout", *f.server)
	b = append(b, `,"AclWhiteList":[`...)
	for i, a := range *f.acl {
		b = appendString(comma(b, i), a)
	}
	b = append(b, `],"BackendServer":[`...)
	for i, s := range *f.backends {
		b = append(comma(b, i), `{"IP":`...)
		b = appendString(b, s.IP)
		b = strconv.AppendInt(append(b, `,"Port":`...), int64(s.Port), 10)
		b = strconv.AppendInt(append(b, `,"Weight":"`...), int64(s.Weight), 10)
		b = append(strconv.AppendInt(append(b, `","MaxConn":`...), int64(s.MaxConn), 10), '}')
	}
	return append(b, ']')
}

// appendTimeout appends ,"<name>":"<value>","<name>Unit":"<unit>" (wire.Timeout).
func appendTimeout(b []byte, name string, d time.Duration) []byte {
	n, unit := wire.TimeoutIn(d)
	b = append(append(append(b, `,"`...), name...), `":"`...)
	b = strconv.AppendInt(b, n, 10)
	b = append(append(append(b, `","`...), name...), `Unit":"`...)
	return append(append(b, unit...), '"')
}

func comma(b []byte, i int) []byte {
	if i > 0 {
		return append(b, ',')
	}
	return b
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// appendString appends s as encoding/json writes it. A string it would
// escape, rare in listeners, is left to encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendMarshalled(b, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return appendMarshalled(b, s)
		}
		i += size
	}
	return append(append(append(b, '"'), s...), '"')
}

func appendMarshalled(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}
