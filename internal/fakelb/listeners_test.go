package fakelb

func httpListener(name string, port int) map[string]any {
	return map[string]any{
		"ListenerName": name, "ListenerMode": "http", "ListenerPort": port,
		"Scheduler": "roundrobin", "MaxConn": 1000, "StickySession": "off",
		"ConnectTimeout": "1000", "ConnectTimeoutUnit": "ms",
		"ClientTimeout": "30", "ClientTimeoutUnit": "s",
		"ServerTimeout": 30, "ServerTimeoutUnit": "s",
		"AclWhiteList": []any{}, "CertificateIds": []any{},
		"BackendServer": []any{map[string]any{"IP": "10.0.0.1", "Port": 8080, "Weight": "1", "MaxConn": 100}},
	}
}
