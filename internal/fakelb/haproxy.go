package fakelb

import (
	"fmt"
	"strings"
)

func (s *Server) describeHaproxyConfig(r *request) (reply, error) {
	in, err := s.findInstance(r)
	if err != nil {
		return reply{}, err
	}
	cfg := in.customConfig
	if cfg == "" {
		cfg = in.haproxyConfig()
	}
	return reply{data: map[string]string{"Configs": cfg}}, nil
}

// modifyHaproxyConfig stores a custom haproxy.cfg. The fake keeps the text
// as given; it keeps the instance CHANGING for the delay, like any change.
func (s *Server) modifyHaproxyConfig(r *request) (reply, error) {
	in, err := s.idleInstance(r)
	if err != nil {
		return reply{}, err
	}
	cfg, err := r.required("Configs")
	if err != nil {
		return reply{}, err
	}
	in.customConfig = cfg
	return reply{taskID: s.startTask(in, statusChanging, r)}, nil
}

// haproxyConfig renders a plausible haproxy.cfg for the instance's listeners.
func (in *instance) haproxyConfig() string {
	var b strings.Builder
	fmt.Fprintf(&b, "global\n    log 127.0.0.1 local0\n    maxconn %d\n    daemon\n\n", in.spec.CPU*50000)
	b.WriteString("defaults\n    log global\n    option dontlognull\n    timeout connect 5s\n    timeout client 50s\n    timeout server 50s\n")
	for _, l := range append(in.http[:len(in.http):len(in.http)], in.tcp...) {
		mode := l.ListenerMode
		fmt.Fprintf(&b, "\nfrontend %s\n    mode %s\n", l.ListenerName, mode)
		bind := fmt.Sprintf("    bind *:%d", *l.ListenerPort)
		if l.CertificateIds != nil && len(*l.CertificateIds) > 0 {
			bind += " ssl crt /etc/haproxy/certs/"
		}
		fmt.Fprintf(&b, "%s\n    maxconn %d\n    timeout client %d%s\n", bind, *l.MaxConn, *l.ClientTimeout, l.ClientTimeoutUnit)
		if acl := *l.AclWhiteList; len(acl) > 0 {
			fmt.Fprintf(&b, "    acl whitelist src %s\n    tcp-request connection reject if !whitelist\n", strings.Join(acl, " "))
		}
		fmt.Fprintf(&b, "    default_backend %s_backend\n", l.ListenerName)

		fmt.Fprintf(&b, "\nbackend %s_backend\n    mode %s\n    balance %s\n", l.ListenerName, mode, l.Scheduler)
		fmt.Fprintf(&b, "    timeout connect %d%s\n    timeout server %d%s\n", *l.ConnectTimeout, l.ConnectTimeoutUnit, *l.ServerTimeout, l.ServerTimeoutUnit)
		if o := l.Option; o != nil && o.Httpchk != nil {
			fmt.Fprintf(&b, "    option httpchk %s %s\n", o.Httpchk.Method, o.Httpchk.Uri)
		}
		cookie := ""
		if sp := l.SessionPersistence; sp != nil {
			fmt.Fprintf(&b, "    cookie %s insert indirect nocache\n", sp.Key)
		}
		for _, be := range l.backends() {
			if l.SessionPersistence != nil {
				cookie = " cookie " + backendID(l, be)
			}
			fmt.Fprintf(&b, "    server %s %s:%d weight %d maxconn %d check%s\n", backendID(l, be), be.IP, *be.Port, *be.Weight, *be.MaxConn, cookie)
		}
	}
	return b.String()
}
