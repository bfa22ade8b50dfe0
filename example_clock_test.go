package cdslb_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cdsgo/cdslb"
)

// A client whose waits run on a clock of the test's: each pause of the
// waiter moves the clock instead of sleeping, so the default schedule (a
// poll at once, then at 30 s and 60 s) runs in no real time.
// cdslbtest.WithAutoAdvance gives a test server's clients such a clock.
func ExampleWithClock() {
	polls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		polls++
		status := cdslb.StatusCreating
		if polls == 3 {
			status = cdslb.StatusRunning
		}
		fmt.Fprintf(w, `{"Code":"Success","Message":"Success.","Data":[{"InstanceUuid":"lb-1","InstanceName":"web","RegionId":"CN_Beijing_A","Status":%q}]}`, status)
	}))
	defer api.Close()

	now := time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC)
	var slept []time.Duration
	c, err := cdslb.NewClient("AKIDEXAMPLE", "secret", cdslb.WithEndpoint(api.URL), cdslb.WithClock(
		func() time.Time { return now },
		func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			now = now.Add(d)
			return ctx.Err()
		}))
	if err != nil {
		panic(err)
	}
	lb, err := c.WaitUntilRunning(context.Background(), "lb-1")
	fmt.Println(lb.Status, err, slept)
	// Output: RUNNING <nil> [30s 30s]
}
