package cdslb

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastReadSeeds are listener sets in the common spelling, which the fast
// path reads, and in every spelling near it, which it must either read as
// the exact reader does or leave to it.
func fastReadSeeds(t testing.TB) (common, near []string) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "responses", "DescribeLoadBalancerStrategys.json"))
	require.NoError(t, err)
	data := func(answer string) string {
		var a struct{ Data json.RawMessage }
		require.NoError(t, json.Unmarshal([]byte(answer), &a))
		return string(a.Data)
	}
	keep := keepWith("MaxConn", "100")
	common = []string{data(string(fixture)), data(listing(keep)),
		data(listing(keepWith("SessionPersistence", `{"Key":"sid","Mode":2,"Timer":{"MaxIdle":10,"MaxLife":0}}`, "Option", `{"Httpchk":{"Method":"GET","Uri":"/"}}`))),
		data(listing(keepWith("ClientTimeoutUnit", `"m"`, "CertificateIds", `[{"CertificateId":"c","CertificateName":"证书"}]`, "StickySession", `"ON"`))),
		data(listing(keepWith("AclWhiteList", "[]", "BackendServer", "[]", "SessionPersistence", "null", "Scheduler", "null"))),
		data(listing(keepWith("ListenerName", `"caf\u00e9 \"1\""`, "StickySession", "true", "MaxConn", "-1", "ClientTimeout", `""`, "ClientTimeoutUnit", "null",
			"BackendServer", `[{"IP":"a","Port":0,"Weight":null,"MaxConn":null}]`, "SessionPersistence", `{"Key":"","Mode":null,"Timer":null}`, "Option", `{"Httpchk":null}`))),
		strings.Replace(data(listing(keep)), `"tcp"`, `"tcp","EnableSourceIp":1,"EnableRepeaterMode":"YES"`, 1),
		` { "HttpListeners" : [ ] , "tcplisteners" : [ { "listenername" : "t" } ] } `, `{"HttpListeners":[],"TcpListeners":null}`, `{}`}
	for _, odd := range [][2]string{
		{"MaxConn", "1e2"}, {"MaxConn", `"100"`}, {"MaxConn", "9007199254740993"}, {"MaxConn", "1.5"}, {"MaxConn", "null"},
		{"ListenerMode", `"tcp"`}, {"ListenerName", "7"}, {"ListenerName", `"\u0041"`}, {"Scheduler", `"\ud800"`},
		{"StickySession", `""`}, {"StickySession", "null"}, {"StickySession", "true"}, {"StickySession", `"maybe"`}, {"StickySession", `"o\u006e"`},
		{"ClientTimeout", "5"}, {"ClientTimeout", `"5.0"`}, {"ClientTimeout", `""`}, {"ClientTimeout", "null"}, {"ClientTimeoutUnit", `"h"`},
		{"ClientTimeout", `"9223372036854775807"`}, {"ClientTimeout", `"153722867280912"`}, {"ClientTimeout", `"-1"`},
		{"AclWhiteList", `"10.0.0.1"`}, {"AclWhiteList", `[""]`}, {"AclWhiteList", `[null]`}, {"AclWhiteList", `[1]`},
		{"BackendServer", `[null]`}, {"BackendServer", `[{}]`}, {"BackendServer", `[{"IP":"a","Weight":1}]`}, {"BackendServer", `[{"Weight":""}]`},
		{"BackendServer", `[{"Weight":"+1"}]`}, {"BackendServer", `[{"Weight":" 1"}]`}, {"BackendServer", `[{"Weight":"01"}]`},
		{"ClientTimeout", `"0222"`}, {"ClientTimeout", `"00"`}, {"BackendServer", `[{"IP":"a","Extra":1}]`},
		{"BackendServer", `[{"IP":"a","ip":"b"}]`}, {"BackendServer", `[{"Ip":"a"}]`}, {"BackendServer", `{"IP":"a"}`},
		{"CertificateIds", `[null]`}, {"CertificateIds", `[{"CertificateId":"c","Other":""}]`},
		{"SessionPersistence", `{"Key":"k","Mode":3}`}, {"SessionPersistence", `{"Mode":-1}`}, {"SessionPersistence", `{"Timer":{"MaxIdle":-1}}`},
		{"SessionPersistence", `{"Timer":{"MaxIdle":9223372036}}`}, {"SessionPersistence", `{"Timer":null}`}, {"SessionPersistence", `"x"`},
		{"Option", `{}`}, {"Option", `{"Httpchk":{}}`}, {"Option", `{"Httpchk":{"Uri":"/","Port":80}}`}, {"Option", `{"Other":1}`},
		{"EnableSourceIp", `"on"`}, {"ListenerPort", "-0"}, {"ListenerPort", "1234567890123456"}, {"ListenerName", `"\u0000"`}, {"ListenerName", `"k\ud800"`}, {"ListenerName", `"k\udc00\ud800"`}, {"ListenerName", `"\ud83d\ude00\ud83d"`},
		{"ClientTimeoutUnit", `"S"`}, {"ClientTimeoutUnit", `"\u0073"`}, {"ClientTimeout", `"5 "`}, {"StickySession", "1.0"},
		{"ListenerName", "\"\xff\""}, {"Listener\\u004eame", `"x"`}, {"Option", `{"Httpchk":{"Method":"GET"},"httpchk":null}`}, {"Extra", "null"}, {"listenername", `"lower"`}, {"ſcheduler", `"x"`}, {"ListenerPort\u017f", "1"}, {"Key", `"x"`},
	} {
		near = append(near, data(listing(keepWith(odd[0], odd[1]))))
	}
	set := data(listing(keep))
	near = append(near, strings.Replace(set, `"TcpListeners":`, `"Extra":[],"TcpListeners":`, 1),
		strings.Replace(set, `"TcpListeners":`, `"HttpListeners":[],"TcpListeners":`, 1),
		strings.Replace(set, `"TcpListeners":`, `"httplisteners":[],"TcpListeners":`, 1),
		strings.Replace(set, `}]`, `},null]`, 1), `{"HttpListeners":"x"}`, `[]`, `"x"`,
		strings.Replace(set, `"edit"`, "\"\xff\"", 1), strings.Replace(set, `"tcp"`, `"tcp","EnableSourceIp":1,"EnableRepeaterMode":"yes"`, 1))
	return common, near
}

// assertReadAsExactly checks that the set reads as the exact reader reads
// it, and reports whether the fast path read it.
func assertReadAsExactly(t *testing.T, data []byte) (fast bool) {
	var exact, read listenersWire
	exact.readExact(data)
	require.NoError(t, json.Unmarshal(data, &read))
	assert.True(t, read.given)
	read.given = false // what marks a set read from an answer, which neither reader sets
	if !isNull(data) { // null is no set: neither reader is asked
		assert.Equal(t, exact, read, "%s", data)
	}
	var quick listenersWire
	if !quick.readFast(data) {
		return false
	}
	assert.Equal(t, exact, quick, "read fast: %s", data)
	return true
}

// TestListenerSetsInTheCommonSpellingAreReadFast: the fast path reads the
// common answers, as the exact reader does.
func TestListenerSetsInTheCommonSpellingAreReadFast(t *testing.T) {
	t.Parallel()
	common, _ := fastReadSeeds(t)
	for _, data := range common {
		assert.True(t, assertReadAsExactly(t, []byte(data)), "not read fast: %s", data)
	}
}

// TestListenerSetsNearTheCommonSpellingAreReadExactly: any other spelling
// is read as the exact reader reads it, by one path or the other, and one
// the exact reader cannot read exactly is left to it.
func TestListenerSetsNearTheCommonSpellingAreReadExactly(t *testing.T) {
	t.Parallel()
	_, near := fastReadSeeds(t)
	for _, data := range near {
		var exact listenersWire
		if exact.readExact([]byte(data)); exact.unread != "" || exact.malformed != "" {
			assert.False(t, new(listenersWire).readFast([]byte(data)), "read fast, yet not exactly: %s", data)
		}
		assertReadAsExactly(t, []byte(data))
	}
}

// FuzzFastListenerReadIsExact: whatever the set holds, the fast path reads
// it as the exact reader does, or leaves it to it; and it reads nothing
// that is not JSON.
func FuzzFastListenerReadIsExact(f *testing.F) {
	common, near := fastReadSeeds(f)
	for _, data := range append(common, near...) {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			var w listenersWire
			assert.False(t, w.readFast(data), "read fast, yet no JSON: %q", data)
			return
		}
		assertReadAsExactly(t, data)
	})
}
