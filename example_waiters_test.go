package cdslb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/cdsgo/cdslb"
)

// fakeAPI stands in for the service in these examples: it answers each
// action with the next of its bodies (the last one repeats). It checks no
// signatures.
func fakeAPI(answers map[string][]string) *httptest.Server {
	var mu sync.Mutex
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		action := r.URL.Query().Get("Action")
		list := answers[action]
		if len(list) == 0 {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"Code":"ResourceNotFound","Message":"unknown"}`)
			return
		}
		if len(list) > 1 {
			answers[action] = list[1:]
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, list[0])
	}))
}

// fastPolls keeps the examples quick; real programs keep the defaults.
var fastPolls = cdslb.WithPollInterval(time.Millisecond, 10*time.Millisecond)

func ExampleClient_WaitUntilRunning() {
	srv := fakeAPI(map[string][]string{"DescribeLoadBalancers": {
		`{"Code":"Success","Data":[{"InstanceUuid":"lb-1","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"CREATING"}]}`,
		`{"Code":"Success","Data":[{"InstanceUuid":"lb-1","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"RUNNING"}]}`,
	}})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// The deadline is the caller's: the waiter polls until then at most.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	lb, err := c.WaitUntilRunning(ctx, "lb-1", fastPolls)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lb.InstanceUUID, lb.Status)
	// Output: lb-1 RUNNING
}

func ExampleClient_WaitUntilDeleted() {
	srv := fakeAPI(map[string][]string{"DescribeLoadBalancers": {
		`{"Code":"Success","Data":[{"InstanceUuid":"lb-1","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"DELETING"}]}`,
		`{"Code":"Success","Data":[]}`,
	}})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	if err := c.WaitUntilDeleted(context.Background(), "lb-1", fastPolls); err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted")
	// Output: deleted
}

func ExampleWaitError() {
	srv := fakeAPI(map[string][]string{"DescribeLoadBalancers": {
		`{"Code":"Success","Data":[{"InstanceUuid":"lb-1","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"CREATING"}]}`,
		`{"Code":"Success","Data":[{"InstanceUuid":"lb-1","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"CREATE_FAILED"}]}`,
	}})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.WaitUntilRunning(context.Background(), "lb-1", fastPolls)
	var we *cdslb.WaitError
	switch {
	case errors.Is(err, cdslb.ErrWaitFailed) && errors.As(err, &we):
		fmt.Println("failed:", we.InstanceUUID, we.Status)
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Println("still not running")
	case err != nil:
		fmt.Println("could not tell:", err)
	}
	// Output: failed: lb-1 CREATE_FAILED
}

func ExampleDescribeLoadBalancersSpecResponse_PaasGoodsID() {
	srv := fakeAPI(map[string][]string{"DescribeLoadBalancersSpec": {`{"Code":"Success","Data":{
		"RegionId":"CN_Hongkong_A","Products":[{"Version":"2.4","Architectures":[{"ComputeRoles":[{"Standards":{
		"CpuRam":[{"Name":"2C4G","CPU":2,"RAM":4,"PaasGoodsId":13568},{"Name":"1C2G","CPU":1,"RAM":2,"PaasGoodsId":13565}]}}]}]}]}}`}})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	spec, err := c.DescribeLoadBalancersSpec(context.Background(), &cdslb.DescribeLoadBalancersSpecRequest{RegionID: "CN_Hongkong_A"})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range spec.Sizes() {
		fmt.Println(s.Name, s.PaasGoodsID)
	}
	if id, ok := spec.PaasGoodsID(2, 4); ok {
		fmt.Println("2 cores, 4 GB:", id)
	}
	if _, ok := spec.PaasGoodsID(16, 32); !ok {
		fmt.Println("16 cores, 32 GB: not offered")
	}
	// Output:
	// 1C2G 13565
	// 2C4G 13568
	// 2 cores, 4 GB: 13568
	// 16 cores, 32 GB: not offered
}

func ExampleClient_UpdateListener() {
	listeners := `{"Code":"Success","Data":{"HttpListeners":[],"TcpListeners":[
		{"ListenerName":"db","ListenerPort":3306,"Scheduler":"leastconn","MaxConn":100,
		 "BackendServer":[{"IP":"10.0.0.5","Port":3306,"Weight":"1","MaxConn":100}]},
		{"ListenerName":"cache","ListenerPort":6379,"Scheduler":"roundrobin","MaxConn":100,
		 "BackendServer":[{"IP":"10.0.0.6","Port":6379,"Weight":"1","MaxConn":100}]}]}}`
	srv := fakeAPI(map[string][]string{
		"DescribeLoadBalancerStrategys": {listeners},
		"ModifyLoadBalancerStrategys":   {`{"Code":"Success","Data":{},"TaskId":"task-1"}`},
	})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// Raise one listener's limit; "cache" is sent back unchanged.
	resp, err := c.UpdateListener(context.Background(), "lb-1", "db", func(_ *cdslb.HTTPListener, tcp *cdslb.TCPListener) error {
		if tcp == nil {
			return errors.New("db is not a TCP listener")
		}
		tcp.MaxConn = 500
		return nil
	})
	if errors.Is(err, cdslb.ErrListenersChanged) {
		fmt.Println("changed by someone else; read again and retry")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("task", resp.TaskID)
	// Output: task task-1
}
