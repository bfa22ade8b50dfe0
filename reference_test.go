package cdslb

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzListingReadsAsAReference holds the library's reading of a listing to
// a reference, encoding/json (v1) into the values the library acts on:
// whatever the answer, the library reads the same instances with the same
// ids, names, sites and statuses, or refuses the answer as malformed.
// Seeds: the vendor's example, and the shapes of issue 19.
func FuzzListingReadsAsAReference(f *testing.F) {
	lb := anInstance("RUNNING")
	for _, seed := range []string{fixture(f, "DescribeLoadBalancers"), `{"Code":"Success","Data":[` + lb + `]}`,
		`{"Code":"Success","Data":[` + lb + `],"Data":[]}`, `{"Code":"Success","Data":[` + lb + `,null]}`,
		`{"code":"Success","data":[{"instanceuuid":"i","instancename":"n","regionid":"r","status":"s","Vips":"x"}]}`,
		`{"Data":[` + lb + `],"Code":"Success"}`, `{"Code":"Success","Data":[{"InstanceUuid":"i","Status":"S","status":"R"}]}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var l loadBalancerList
		env, ok := decodeBody(body, &l)
		if !ok || env.ambiguous != "" || env.malformed != "" || env.Code != "Success" {
			return // refused, or no success: nothing is acted on
		}
		got := l.value(time.UTC)
		var ref struct {
			Data []struct{ InstanceUuid, InstanceName, RegionId, Status string }
		}
		require.NoError(t, json.Unmarshal(body, &ref), "the library read what encoding/json refuses: %q", body)
		require.Len(t, got, len(ref.Data), "%q", body)
		for i, r := range ref.Data {
			require.Equal(t, [4]string{r.InstanceUuid, r.InstanceName, r.RegionId, r.Status},
				[4]string{got[i].InstanceUUID, got[i].InstanceName, got[i].RegionID, got[i].Status}, "%q", body)
		}
	})
}
