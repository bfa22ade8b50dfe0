package wire

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every type here decodes whatever the service sends without an error: a
// value it cannot read is zero. The tables hold raw JSON values.

func TestIntDecodesNumbersAndNumericStrings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		json string
		want Int
	}{
		{`8080`, 8080},
		{`-5`, -5},
		{`0`, 0},
		{`1e3`, 1000},
		{`"8080"`, 8080},
		{`" 1.0 "`, 1},
		{`"-7"`, -7},
		{`""`, 0},
		{`"   "`, 0},
		{`null`, 0},
		{`true`, 0},
		{`{}`, 0},
		{`{"Port": 1}`, 0},
		{`[]`, 0},
		{`[1]`, 0},
		{`"abc"`, 0},
		{`"NaN"`, 0},
		{`"Inf"`, 0},
		{`"-Infinity"`, 0},
		{`9007199254740993`, 9007199254740993}, // an integer literal is read exactly
		{`90071992547409930000`, 0},            // too long for an exact integer, beyond 2^53 as a float
		{`"9007199254740993.5"`, 0},            // beyond 2^53 a float64 is no exact integer
		{`1e300`, 0},
		{`"1e400"`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.json, func(t *testing.T) {
			n := Int(99) // a stale value must not survive
			require.NoError(t, json.Unmarshal([]byte(tc.json), &n))
			assert.Equal(t, tc.want, n)
		})
	}
}

func TestIntIsWrittenAsANumber(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct{ Port Int }{8080})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Port": 8080}`, string(b))
}

func TestOddFieldLeavesTheRestOfTheObject(t *testing.T) {
	t.Parallel()
	var v struct {
		Port    Int
		Weight  Text
		Value   Float
		On      Switch
		List    Strings
		Name    string
		Another Int
	}
	err := json.Unmarshal([]byte(`{"Port": {"x": 1}, "Weight": [1], "Value": "NaN", "On": {}, "List": 5,
		"Name": "kept", "Another": "12"}`), &v)
	require.NoError(t, err)
	assert.Zero(t, v.Port)
	assert.Zero(t, v.Weight)
	assert.Zero(t, v.Value)
	assert.False(t, bool(v.On))
	assert.Nil(t, v.List)
	assert.Equal(t, "kept", v.Name)
	assert.Equal(t, Int(12), v.Another)
}

func TestFloatDecodesNumbersAndNumericStrings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		json string
		want Float
	}{
		{`9.29`, 9.29},
		{`0`, 0},
		{`-0.5`, -0.5},
		{`"9.3"`, 9.3},
		{`" 12 "`, 12},
		{`""`, 0},
		{`null`, 0},
		{`{}`, 0},
		{`[9.3]`, 0},
		{`"NaN"`, 0},
		{`"nan"`, 0},
		{`"+Inf"`, 0},
		{`"1e400"`, 0},
		{`"n/a"`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.json, func(t *testing.T) {
			f := Float(99)
			require.NoError(t, json.Unmarshal([]byte(tc.json), &f))
			assert.Equal(t, tc.want, f)
		})
	}
}

func TestTextDecodesStringsAndNumbers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		json string
		want Text
	}{
		{`"1"`, "1"},
		{`"  padded "`, "  padded "},
		{`"证书"`, "证书"},
		{`1`, "1"},
		{`-2.5`, "-2.5"},
		{`1e3`, "1e3"},
		{`true`, "true"},
		{`false`, "false"},
		{`""`, ""},
		{`null`, ""},
		{`{}`, ""},
		{`{"a": "b"}`, ""},
		{`[1]`, ""},
		{`["a"]`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.json, func(t *testing.T) {
			s := Text("stale")
			require.NoError(t, json.Unmarshal([]byte(tc.json), &s))
			assert.Equal(t, tc.want, s)
		})
	}
}

func TestTextIsWrittenAsAString(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct{ Weight Text }{"1"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Weight": "1"}`, string(b))
}

func TestTextInt(t *testing.T) {
	t.Parallel()
	cases := map[Text]int{"1": 1, "256": 256, " 2 ": 2, "1.0": 1, "": 0, "abc": 0, "NaN": 0, "-3": -3}
	for in, want := range cases {
		assert.Equal(t, want, in.Int(), "Text(%q).Int()", in)
	}
}

func TestSwitchReadsEverySpelling(t *testing.T) {
	t.Parallel()
	cases := []struct {
		json string
		want Switch
	}{
		{`"on"`, true},
		{`"ON"`, true},
		{`"On"`, true},
		{`true`, true},
		{`1`, true},
		{`"1"`, true},
		{`"true"`, true},
		{`"yes"`, true},
		{`"off"`, false},
		{`false`, false},
		{`0`, false},
		{`"0"`, false},
		{`""`, false},
		{`null`, false},
		{`{}`, false},
		{`["on"]`, false},
		{`"maybe"`, false},
		{`2`, false},
	}
	for _, tc := range cases {
		t.Run(tc.json, func(t *testing.T) {
			s := !tc.want // start from the other value
			require.NoError(t, json.Unmarshal([]byte(tc.json), &s))
			assert.Equal(t, tc.want, s)
		})
	}
}

func TestSwitchIsWrittenOnOff(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal([]Switch{true, false})
	require.NoError(t, err)
	assert.JSONEq(t, `["on", "off"]`, string(b))
}

func TestStringsReadsListsAndLoneStrings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		json string
		want Strings
	}{
		{`["192.168.1.1", "10.0.0.0/8"]`, Strings{"192.168.1.1", "10.0.0.0/8"}},
		{`"haproxy"`, Strings{"haproxy"}},
		{`""`, nil},
		{`[]`, nil},
		{`null`, nil},
		{`["a", null, {}, [], ""]`, Strings{"a"}},
		{`{}`, nil},
		{`{"a": "b"}`, nil},
		{`42`, nil},
		{`true`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.json, func(t *testing.T) {
			l := Strings{"stale"}
			require.NoError(t, json.Unmarshal([]byte(tc.json), &l))
			assert.Equal(t, tc.want, l)
		})
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2021-03-10 14:00:00", cst, time.Date(2021, 3, 10, 6, 0, 0, 0, time.UTC)},
		{"2021-03-10 14:00:00", time.UTC, time.Date(2021, 3, 10, 14, 0, 0, 0, time.UTC)},
		{" 2020-05-05 00:13:53\n", cst, time.Date(2020, 5, 4, 16, 13, 53, 0, time.UTC)},
		{"", cst, time.Time{}},
		{"2021-03-10T14:00:00Z", cst, time.Time{}},
		{"2021-03-10", cst, time.Time{}},
		{"2021-02-30 00:00:00", cst, time.Time{}},
		{"garbage", cst, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := ParseTime(tc.in, tc.loc)
			if tc.want.IsZero() {
				assert.True(t, got.IsZero(), "got %v", got)
				return
			}
			assert.True(t, tc.want.Equal(got), "got %v, want %v", got, tc.want)
			assert.Equal(t, tc.loc, got.Location(), "read in the given zone")
		})
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	at := time.Date(2021, 3, 10, 6, 0, 0, 0, time.UTC)
	assert.Equal(t, "2021-03-10 14:00:00", FormatTime(at, cst))
	assert.Equal(t, "2021-03-10 06:00:00", FormatTime(at, time.UTC))
	assert.Equal(t, "2021-03-10 14:00:00", FormatTime(at.Add(999*time.Millisecond).In(cst), cst), "sub-second parts are dropped")
	assert.Equal(t, "", FormatTime(time.Time{}, cst), "the zero time is not sent")
	assert.True(t, at.Equal(ParseTime(FormatTime(at, cst), cst)), "round trip")
}

// Duration reads a timeout with its exact meaning or not at all: a unit is
// "ms", "s" or "m" as written, and the value a whole number of milliseconds.
func TestDuration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		value, unit string
		want        time.Duration
		ok          bool
	}{
		{`"222"`, "s", 222 * time.Second, true},
		{`"111"`, "ms", 111 * time.Millisecond, true},
		{`111`, "ms", 111 * time.Millisecond, true},
		{`"5"`, "m", 5 * time.Minute, true},
		{`" 1.5 "`, "s", 1500 * time.Millisecond, true},
		{`"0.001"`, "s", time.Millisecond, true}, // exact, where a float64 is not
		{`"0"`, "s", 0, true},
		{`1e3`, "ms", time.Second, true},
		{`"5"`, "S", 0, false}, // units are read as written: "M" is no minute
		{`"5"`, "M", 0, false},
		{`"5"`, " s ", 0, false},
		{`"5"`, "", 0, false}, // no unit: unread, never milliseconds
		{`"5"`, "minutes", 0, false},
		{`"5"`, "h", 0, false},
		{`"5"`, "MS", 0, false},
		{`"1.5"`, "ms", 0, false}, // not a whole millisecond
		{`"1e-400"`, "s", 0, false},
		{`""`, "s", 0, false},
		{``, "s", 0, false},
		{`"-1"`, "s", 0, false},
		{`"abc"`, "ms", 0, false},
		{`"NaN"`, "s", 0, false},
		{`"Inf"`, "s", 0, false},
		{`"0x10"`, "s", 0, false},
		{`true`, "s", 0, false},
		{`"1e10"`, "s", 0, false}, // beyond what a time.Duration holds
		{`"1e300"`, "ms", 0, false},
		{`"1e999999999"`, "ms", 0, false},
		{`"9223372036854775807"`, "ms", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.value+tc.unit, func(t *testing.T) {
			d, ok := Duration([]byte(tc.value), tc.unit)
			assert.Equal(t, tc.want, d)
			assert.Equal(t, tc.ok, ok)
		})
	}
}

// Integer reads a whole number in any spelling of one, and nothing else.
func TestInteger(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{`8080`: 8080, `"8080"`: 8080, `" 1.0 "`: 1, `1e3`: 1000, `-0`: 0, `-7`: -7,
		`9007199254740991`: 1<<53 - 1} {
		n, ok := Integer([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, n, in)
	}
	for _, in := range []string{`1.5`, `"1.5"`, `"0x1p3"`, `"Inf"`, `""`, `"eighty"`, `true`, `{}`, `[1]`, `1e-400`,
		`9007199254740992`, `"9007199254740993"`, `1e400`, `"01"`,
		`"0.99999999999999999999e1"`} { // a float64 would round it to 10
		n, ok := Integer([]byte(in))
		assert.False(t, ok, in)
		assert.Zero(t, n, in)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    time.Duration
		value string
		unit  string
	}{
		{0, "0", "ms"},
		{time.Millisecond, "1", "ms"},
		{1000 * time.Millisecond, "1", "s"},
		{1500 * time.Millisecond, "1500", "ms"},
		{22 * time.Second, "22", "s"},
		{2 * time.Hour, "7200", "s"},
		{1500 * time.Microsecond, "1", "ms"}, // sub-millisecond parts are dropped
	}
	for _, tc := range cases {
		t.Run(tc.in.String(), func(t *testing.T) {
			value, unit := Timeout(tc.in)
			assert.Equal(t, tc.value, value)
			assert.Equal(t, tc.unit, unit)
			if tc.in%time.Millisecond == 0 {
				d, ok := Duration([]byte(strconv.Quote(value)), unit)
				assert.True(t, ok)
				assert.Equal(t, tc.in, d, "round trip")
			}
		})
	}
}

// TestCommonSpellingsReadAsTheExactReadingDoes: the shortcut for 8080 and
// "8080" gives what the exact decimal reading gives, at every length and
// for every unit, and leaves everything else to it.
func TestCommonSpellingsReadAsTheExactReadingDoes(t *testing.T) {
	for _, v := range []string{"0", `"0"`, "7", `"8080"`, "123456789012345", `"123456789012345"`, `"1234567890123456"`,
		`"00"`, `"08"`, `" 8"`, `"-1"`, `""`, `"`, `"x"`, "9999999999"} {
		r, exact := decimal([]byte(v))
		n, ok := Integer([]byte(v))
		if exact && r.IsInt() && r.Num().IsInt64() && r.Num().Int64() < 1<<53 && r.Num().Int64() > -1<<53 {
			if !ok || int64(n) != r.Num().Int64() {
				t.Errorf("Integer(%s) = %d, %v; exactly %s", v, n, ok, r)
			}
		} else if ok {
			t.Errorf("Integer(%s) = %d, read; exactly unread", v, n)
		}
		for _, unit := range []string{"ms", "s", "m"} {
			d, ok := Duration([]byte(v), unit)
			if q, quick := quoted([]byte(v)); quick && ok && d != time.Duration(q)*map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute}[unit] {
				t.Errorf("Duration(%s, %s) = %v", v, unit, d)
			}
		}
	}
}
