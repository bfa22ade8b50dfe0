package cdslb

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// holdsPrivateKey lists the public types whose JSON shows the private key
// as REDACTED: every other field round-trips.
var holdsPrivateKey = map[string]bool{"CertificateDetail": true, "DescribeCACertificateResponse": true, "UploadCACertificateRequest": true}

// TestPublicTypesRoundTripJSON: every exported request, response and value
// type (sweepTypes, which TestSweepCoversTheExportedAPI keeps complete)
// marshals with its Go field names and every exported field, and reads
// back to an equal value; the private key alone comes back REDACTED.
// Response types hold no unexported fields, at any depth, so that
// reflect.DeepEqual and go-cmp compare them.
func TestPublicTypesRoundTripJSON(t *testing.T) {
	t.Parallel()
	checked := 0
	for name, typ := range sweepTypes {
		if typ.Kind() != reflect.Struct || name == "Client" || name == "Signer" || strings.HasSuffix(name, "Error") {
			continue // the client and the signer are not data; errors are not rendered as JSON
		}
		checked++
		in := reflect.New(typ)
		fillAll(in.Elem())
		if holdsPrivateKey[name] {
			privateKey(in.Elem()).SetString("SECRET-KEY")
		}
		b, err := json.Marshal(in.Interface())
		require.NoError(t, err, name)
		for _, f := range reflect.VisibleFields(typ) {
			if f.IsExported() && !f.Anonymous {
				assert.Contains(t, string(b), `"`+f.Name+`":`, "%s marshals %s by its Go name", name, f.Name)
			}
		}
		out := reflect.New(typ)
		require.NoError(t, json.Unmarshal(b, out.Interface()), name)
		want := in.Elem()
		if holdsPrivateKey[name] {
			assert.NotContains(t, string(b), "SECRET-KEY", name)
			want = reflect.New(typ).Elem()
			want.Set(in.Elem())
			privateKey(want).SetString(redacted)
		}
		assert.Equal(t, want.Interface(), out.Elem().Interface(), "%s: %s", name, b)
		if strings.HasSuffix(name, "Response") {
			assert.Empty(t, unexportedFields(typ, name), "%s holds unexported fields", name)
		}
	}
	assert.Greater(t, checked, 50, "the sweep reached the public types")
}

// fillAll sets every exported field within v to a value that is not zero.
func fillAll(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillAll(v.Index(0))
	case reflect.String:
		v.SetString("text")
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// unexportedFields returns the paths of the unexported fields within t.
func unexportedFields(t reflect.Type, path string) []string {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		return unexportedFields(t.Elem(), path+"[]")
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return nil
		}
		var out []string
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				out = append(out, path+"."+f.Name)
				continue
			}
			out = append(out, unexportedFields(f.Type, path+"."+f.Name)...)
		}
		return out
	}
	return nil
}

// privateKey is the PrivateKey field of v or of its Certificate.
func privateKey(v reflect.Value) reflect.Value {
	if k := v.FieldByName("PrivateKey"); k.IsValid() {
		return k
	}
	return v.FieldByName("Certificate").FieldByName("PrivateKey")
}
