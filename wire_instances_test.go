package cdslb

import (
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listDecode is what DescribeLoadBalancers makes of an answer: the envelope,
// whether it was the API's JSON, the response or the reason it is
// malformed, and whether the entry-at-a-time path read it.
type listDecode struct {
	env  envelope
	ok   bool
	resp *DescribeLoadBalancersResponse
	err  string
	fast bool
}

// decodeList decodes body as the call path does, or, whole, as it does
// when the entry-at-a-time path gives up. The body is padded with spaces
// past streamFrom, so that the call path reads it an entry at a time.
func decodeList(body string, whole bool) listDecode {
	body += strings.Repeat(" ", streamFrom)
	var l loadBalancerList
	var into any = &l
	if whole {
		into = l.exact()
	}
	var d listDecode
	d.env, d.ok = decodeEnvelope([]byte(body), into, chinaStandardTime)
	if !whole {
		_, d.fast = decodeEntries([]byte(body), new(loadBalancerList), chinaStandardTime)
	}
	if d.ok && d.env.malformed == "" {
		resp, err := describeLoadBalancers.answer(nil, &l, chinaStandardTime)
		d.resp = resp
		if err != nil {
			d.err = err.Error()
		}
	}
	d.env.Data = nil
	return d
}

// instance is a DescribeLoadBalancers entry with the given id and more.
func instance(id, more string) string {
	return `{"InstanceUuid":"` + id + `","Status":"RUNNING","StatusStr":"运行中","RegionId":"CN_Hongkong_A","VdcId":"v-1"` + more + `}`
}

// TestLoadBalancerListReadAnEntryAtATimeAgreesWithTheWholeDecode: a
// well-formed answer is read an entry at a time, into what the whole decode
// makes of it.
func TestLoadBalancerListReadAnEntryAtATimeAgreesWithTheWholeDecode(t *testing.T) {
	t.Parallel()
	many := make([]string, 50)
	for i := range many {
		many[i] = instance(strings.Repeat("a", i+1), `,"Status":"CHANGING","Vips":[{"IP":"10.0.0.1","Type":"private"}]`)
	}
	for name, body := range map[string]string{
		"the document's example": fixture(t, "DescribeLoadBalancers"),
		"many":                   `{"Code":"Success","Data":[` + strings.Join(many, ",") + `]}`,
		"Data empty":             `{"Code":"Success","Data":[]}`,
		"Data null":              `{"Code":"Success","Data":null}`,
		"no Data":                `{"Code":"Success","Message":"ok","TaskId":"t-1"}`,
		"members in any case":    `{"data":[` + instance("i-1", "") + `],"CODE":"Success","taskid":"t"}`,
		"odd scalars":            `{"Code":"Success","Data":[` + instance("i-1", `,"Port":"80","Cpu":"2","Ram":2048.0,"IsCustomConf":"1","CreatedTime":"2020-05-05 00:13:53"`) + `]}`,
		"tags and empty lists":   `{"Code":"Success","Data":[` + instance("i-1", `,"Tags":[{"TagId":"3","TagName":"web"}],"Vips":[]`) + `]}`,
		"an error":               `{"Code":"ResourceInUse","Message":"busy","Data":null}`,
		"spaces":                 " \n{ \"Code\" : \"Success\" , \"Data\" : [ " + instance("i-1", "") + " ] }\n",
	} {
		t.Run(name, func(t *testing.T) {
			fast, whole := decodeList(body, false), decodeList(body, true)
			assert.True(t, fast.fast, "read an entry at a time")
			assert.Equal(t, whole, listDecode{fast.env, fast.ok, fast.resp, fast.err, false})
		})
	}
}

// TestLoadBalancerListGivesUpWhereTheWholeDecodeJudges: an answer with
// anything odd is decoded whole, whose rules (ErrMalformedAnswer, tolerant
// fields) then hold as they did before.
func TestLoadBalancerListGivesUpWhereTheWholeDecodeJudges(t *testing.T) {
	t.Parallel()
	ok := instance("i-1", "")
	for name, tc := range map[string]struct{ body, inErr string }{
		"a null entry":         {`{"Code":"Success","Data":[` + ok + `,null]}`, "Data[1] is null where an object is due"},
		"a number entry":       {`{"Code":"Success","Data":[1]}`, "Data[0] is a number where an object is due"},
		"a list entry":         {`{"Code":"Success","Data":[[]]}`, "Data[0] is a list where an object is due"},
		"a null VIP":           {`{"Code":"Success","Data":[` + instance("i-1", `,"Vips":[null]`) + `]}`, "Data[0].Vips[0] is null where an object is due"},
		"a null tag":           {`{"Code":"Success","Data":[` + instance("i-1", `,"Tags":[null]`) + `]}`, "Data[0].Tags[0] is null where an object is due"},
		"no Status":            {`{"Code":"Success","Data":[{"InstanceUuid":"i-1"}]}`, "Data[0] has no InstanceUuid or no Status"},
		"a blank id":           {`{"Code":"Success","Data":[` + ok + `,` + instance(" ", "") + `]}`, "Data[1] has no InstanceUuid or no Status"},
		"Data an object":       {`{"Code":"Success","Data":{"InstanceUuid":"i-1"}}`, "Data is an object where a list is due"},
		"Data a string":        {`{"Code":"Success","Data":"x"}`, "Data is a string where a list is due"},
		"an empty VIP":         {`{"Code":"Success","Data":[` + instance("i-1", `,"Vips":[{}]`) + `]}`, ""},
		"an IP a number":       {`{"Code":"Success","Data":[` + instance("i-1", `,"IP":5`) + `]}`, ""},
		"Vips a string":        {`{"Code":"Success","Data":[` + instance("i-1", `,"Vips":"10.0.0.1"`) + `]}`, ""},
		"another member":       {`{"Code":"Success","New":1,"Data":[` + ok + `]}`, ""},
		"Code twice":           {`{"Code":"Error","code":"Success","Data":[` + ok + `]}`, ""},
		"Data twice":           {`{"Code":"Success","Data":[` + ok + `],"Data":[]}`, ""},
		"Data then null":       {`{"Code":"Success","Data":[` + ok + `],"Data":null}`, "Data is given twice"},
		"TaskId a number":      {`{"Code":"Success","TaskId":7,"Data":[` + ok + `]}`, ""},
		"not an object":        {`[` + ok + `]`, ""},
		"something after":      {`{"Code":"Success","Data":[` + ok + `]} x`, ""},
		"cut short":            {`{"Code":"Success","Data":[` + ok, ""},
		"no Code":              {`{"Data":[` + ok + `]}`, ""},
		"an entry left open":   {`{"Code":"Success","Data":[{"InstanceUuid":"i-1","Status":"RUNNING"]}`, ""},
		"a list left unclosed": {`{"Code":"Success","Data":[` + ok + `}`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			fast, whole := decodeList(tc.body, false), decodeList(tc.body, true)
			assert.False(t, fast.fast, "given up")
			assert.Equal(t, whole, fast)
			why := fast.err + fast.env.malformed
			if tc.inErr == "" {
				assert.Empty(t, why)
			} else {
				assert.Contains(t, why, tc.inErr)
			}
		})
	}
}

// TestLoadBalancerListSharesRepeatedValues: the values one account's
// instances repeat are held once; each instance's own are its own.
func TestLoadBalancerListSharesRepeatedValues(t *testing.T) {
	t.Parallel()
	body := `{"Code":"Success","Data":[` + instance("i-1", `,"Vips":[{"IP":"10.0.0.1","Type":"private"}]`) + "," +
		instance("i-2", `,"Vips":[{"IP":"10.0.0.1","Type":"private"}]`) + `]}`
	d := decodeList(body, false)
	require.True(t, d.fast)
	a, b := d.resp.LoadBalancers[0], d.resp.LoadBalancers[1]
	assert.Same(t, unsafe.StringData(a.RegionID), unsafe.StringData(b.RegionID))
	assert.Same(t, unsafe.StringData(a.VIPs[0].Type), unsafe.StringData(b.VIPs[0].Type))
	assert.NotSame(t, unsafe.StringData(a.VIPs[0].IP), unsafe.StringData(b.VIPs[0].IP))
}

// FuzzLoadBalancerListAgreesWithTheWholeDecode: whatever the answer, reading
// it an entry at a time, or giving up on that, ends where the whole decode
// does.
func FuzzLoadBalancerListAgreesWithTheWholeDecode(f *testing.F) {
	ok := instance("i-1", `,"Vips":[{"IP":"10.0.0.1","Type":"private"}],"Tags":[{"TagId":1,"TagName":"a"}],"Port":"80"`)
	for _, s := range []string{fixture(f, "DescribeLoadBalancers"), `{"Code":"Success","Data":[` + ok + `,` + ok + `]}`,
		`{"Code":"Success","Data":[` + ok + `,null]}`, `{"Code":"Success","Data":null}`, `{"data":[],"code":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, whole := decodeList(string(body), false), decodeList(string(body), true)
		fast.fast = false
		assert.Equal(t, whole, fast)
	})
}

// TestLoadBalancerListSmallAnswerIsDecodedWhole: an answer under streamFrom
// is decoded whole, into what reading it an entry at a time makes of it.
func TestLoadBalancerListSmallAnswerIsDecodedWhole(t *testing.T) {
	t.Parallel()
	body := fixture(t, "DescribeLoadBalancers")
	var l loadBalancerList
	env, ok := decodeEnvelope([]byte(body), &l, chinaStandardTime)
	require.True(t, ok)
	require.Empty(t, env.malformed)
	assert.False(t, l.fast)
	resp, err := describeLoadBalancers.answer(nil, &l, chinaStandardTime)
	require.NoError(t, err)
	assert.Equal(t, decodeList(body, false).resp, resp)
}

// TestLoadBalancerListIsNotSizedByWordsInItsValues: the list read an entry
// at a time is sized by counting "InstanceUuid" in the body, which a value
// may repeat (here a member the library does not read): one instance must
// not come back in a list with room for a million, nor cost much more to read
// than a body as long made of the shortest entries.
func TestLoadBalancerListIsNotSizedByWordsInItsValues(t *testing.T) {
	body := `{"Code":"Success","Data":[` + instance("i-1", `,"Other":[`+strings.Repeat(`"InstanceUuid",`, 1<<16)+`1]`) + `]}`
	entries := strings.Repeat(shortestEntry+",", (len(body)-50)/(len(shortestEntry)+1))
	honest := `{"Code":"Success","Data":[` + entries + shortestEntry + `]}`
	cost := func(body string) (*loadBalancerList, uint64) {
		b := []byte(body)
		var l loadBalancerList
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const runs = 5
		for range runs {
			l = loadBalancerList{}
			decodeEnvelope(b, &l, chinaStandardTime)
		}
		runtime.ReadMemStats(&after)
		return &l, (after.TotalAlloc - before.TotalAlloc) / runs
	}
	l, allocated := cost(body)
	require.True(t, l.fast)
	require.Len(t, l.read, 1)
	assert.LessOrEqual(t, cap(l.read), 2, "room kept for instances that never came")
	_, limit := cost(honest)
	assert.LessOrEqual(t, allocated, limit*5/4, "bytes allocated to read a body of %d", len(body))
}
