package cdslb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/jarcoal/httpmock"
)

// The examples talk to a loopback stand-in for the API, so they run
// without an account: fakeCDS answers each action with the vendor
// document's example answer (testdata/responses/<Action>.json), or with
// the answer given for it. Real programs leave out WithEndpoint, or pass
// one of the Endpoint constants.

type fakeAnswer struct {
	status int
	body   string
}

func fakeCDS(answers map[string]fakeAnswer) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := r.URL.Query().Get("Action")
		a, ok := answers[action]
		if !ok {
			b, err := os.ReadFile(filepath.Join("testdata", "responses", action+".json"))
			a = fakeAnswer{http.StatusOK, string(b)}
			if err != nil {
				a = fakeAnswer{http.StatusNotFound, `{"Code": "ResourceNotFound", "Message": "no such action"}`}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
}

// exampleClient returns a client of the stand-in.
func exampleClient(srv *httptest.Server) *cdslb.Client {
	client, err := cdslb.NewClient("your-access-key-id", "your-access-key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	return client
}

func ExampleNewClientFromEnv() {
	// CDS_SECRET_ID and CDS_SECRET_KEY hold the access key; the optional
	// CDS_API_HOST names another endpoint, such as cdsapi-us.capitalonline.net.
	client, err := cdslb.NewClientFromEnv(cdslb.WithUserAgent("lb-report/1.0"))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := client.DescribeLoadBalancers(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, lb := range resp.LoadBalancers {
		fmt.Println(lb.InstanceUUID, lb.InstanceName, lb.Status)
	}
}

func ExampleClient_DescribeZones() {
	srv := fakeCDS(nil)
	defer srv.Close()
	client := exampleClient(srv)

	resp, err := client.DescribeZones(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, z := range resp.Zones {
		if z.CityName == "北京" && z.OnSale {
			fmt.Println(z.RegionID, z.SiteName)
		}
	}
	// Output:
	// CN_Beijing_B 北京2
	// CN_Beijing_E 北京5
	// CN_Beijing_A 北京1
	// CN_Beijing_C 北京3
	// CN_Beijing_H 北京8
}

// Find the PaasGoodsID of a size, which CreateLoadBalancer takes.
func ExampleClient_DescribeLoadBalancersSpec() {
	srv := fakeCDS(nil)
	defer srv.Close()
	client := exampleClient(srv)

	resp, err := client.DescribeLoadBalancersSpec(context.Background(),
		&cdslb.DescribeLoadBalancersSpecRequest{RegionID: "CN_Hongkong_A"})
	if err != nil {
		log.Fatal(err)
	}
	for _, product := range resp.Products {
		for _, arch := range product.Architectures {
			for _, role := range arch.ComputeRoles {
				for _, size := range role.Standards.CPURAM {
					fmt.Printf("%s %s: %d CPU, %d GB RAM, PaasGoodsID %d\n",
						arch.SubProductName, size.Name, size.CPU, size.RAMGB, size.PaasGoodsID)
				}
			}
		}
	}
	// Output:
	// haproxy 主从版 1C2G: 1 CPU, 2 GB RAM, PaasGoodsID 13565
}

func ExampleClient_CreateLoadBalancer() {
	srv := fakeCDS(nil)
	defer srv.Close()
	client := exampleClient(srv)

	resp, err := client.CreateLoadBalancer(context.Background(), &cdslb.CreateLoadBalancerRequest{
		RegionID:     "CN_Hongkong_A",
		VdcID:        "e2b4f7a0-6c1d-4b8e-9f3a-2d5c7e9b1a40",
		BasePipeID:   "private-network-id",
		InstanceName: "web-lb",
		PaasGoodsID:  13565, // 1C2G, from DescribeLoadBalancersSpec
		IPs: []cdslb.CreateLoadBalancerIP{
			{PipeType: cdslb.PipeTypePrivate, PipeID: "private-network-id"},
			{PipeType: cdslb.PipeTypePublic, PipeID: "public-network-id", SegmentID: "public-segment-id"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	// The instance is being created: wait until DescribeLoadBalancers
	// reports it RUNNING before adding listeners.
	fmt.Println("creating:", resp.InstanceUUIDs)
	fmt.Println("task:", resp.TaskID)
	// Output:
	// creating: [5d74bb81-0473-464d-b15b-0ae418619248]
	// task: 7a9c0d3e-1f2b-4c5d-8e6f-a0b1c2d3e4f5
}

func ExampleClient_DescribeLoadBalancers() {
	srv := fakeCDS(nil)
	defer srv.Close()
	client := exampleClient(srv)

	resp, err := client.DescribeLoadBalancers(context.Background(), &cdslb.DescribeLoadBalancersRequest{
		StartTime: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), // created since
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, lb := range resp.LoadBalancers {
		fmt.Println(lb.InstanceUUID, lb.Status, lb.CPU, "CPU", lb.MemoryMB, "MB")
		fmt.Println("created", lb.CreatedTime.Format(time.RFC3339))
		for _, vip := range lb.VIPs {
			fmt.Println(vip.Type, vip.IP)
		}
	}
	// Output:
	// 5d74bb81-0473-464d-b15b-0ae418619248 RUNNING 1 CPU 2048 MB
	// created 2020-05-05T00:13:53+08:00
	// private xx.xx.xx.xx
	// public xx.xx.xx.xx
}

// Errors from the service match sentinel errors by their code.
func ExampleAPIError() {
	srv := fakeCDS(map[string]fakeAnswer{
		"DeleteLoadBalancer": {http.StatusNotFound, `{"Code": "ResourceNotFound", "Message": "instance not found", "TaskId": ""}`},
	})
	defer srv.Close()
	client := exampleClient(srv)

	_, err := client.DeleteLoadBalancer(context.Background(), &cdslb.DeleteLoadBalancerRequest{InstanceUUID: "gone"})
	switch {
	case errors.Is(err, cdslb.ErrResourceNotFound):
		fmt.Println("already deleted")
	case errors.Is(err, cdslb.ErrResourceInUse):
		fmt.Println("busy: try again later")
	case err != nil:
		log.Fatal(err)
	}
	var apiErr *cdslb.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.HTTPStatus, apiErr.Code, apiErr.Message)
	}
	// Output:
	// already deleted
	// 404 ResourceNotFound instance not found
}

func ExampleClient_DescribeCACertificates() {
	srv := fakeCDS(nil)
	defer srv.Close()
	client := exampleClient(srv)

	resp, err := client.DescribeCACertificates(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, cert := range resp.Certificates {
		expiring := cert.Validity == cdslb.CertificateExpiring
		fmt.Println(cert.CertificateID, cert.Organization, "until", cert.EndTime.Format(time.DateOnly), "expiring:", expiring)
	}
	// Output:
	// 3f6e2a91-8c4b-4d7e-a5f0-1b9c8d2e7a63 DigiCert Inc until 2021-02-25 expiring: false
}

// ModifyLoadBalancerStrategys replaces an instance's whole listener set, so
// a change is read-modify-write: read the set, change it, send it all back.
// A listener left out would be deleted.
func ExampleClient_ModifyLoadBalancerStrategys() {
	srv := fakeCDS(map[string]fakeAnswer{"DescribeLoadBalancerStrategys": {http.StatusOK, exampleListeners}})
	defer srv.Close()
	client := exampleClient(srv)
	ctx := context.Background()
	const id = "5d74bb81-0473-464d-b15b-0ae418619248"

	cur, err := client.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
	if err != nil {
		log.Fatal(err)
	}
	for i := range cur.HTTPListeners {
		l := &cur.HTTPListeners[i]
		if l.ListenerName == "http43" {
			l.BackendServers = append(l.BackendServers, cdslb.BackendServer{IP: "66.66.0.9", Port: 323, Weight: 1, MaxConn: 2000})
			l.ServerTimeout = 30 * time.Second
		}
	}
	resp, err := client.ModifyLoadBalancerStrategys(ctx, &cdslb.ModifyLoadBalancerStrategysRequest{
		InstanceUUID:  id,
		HTTPListeners: cur.HTTPListeners,
		TCPListeners:  cur.TCPListeners,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent", len(cur.HTTPListeners), "HTTP and", len(cur.TCPListeners), "TCP listeners; task", resp.TaskID)
	// Output:
	// sent 1 HTTP and 1 TCP listeners; task 9b2f4c8e-6d1a-4e7b-a3f5-0c8d2b6e4f19
}

// exampleListeners is the document's DescribeLoadBalancerStrategys answer,
// shortened, with a listener port (the document's example has 0).
const exampleListeners = `{"Code": "Success", "Message": "Success.", "TaskId": "", "Data": {
	"HttpListeners": [{"ListenerName": "http43", "ListenerMode": "http", "ListenerPort": 80, "MaxConn": 50000,
		"Scheduler": "roundrobin", "StickySession": "off", "AclWhiteList": ["192.168.1.1"], "CertificateIds": [],
		"ConnectTimeout": "111", "ConnectTimeoutUnit": "ms", "ClientTimeout": "222", "ClientTimeoutUnit": "s",
		"ServerTimeout": "333", "ServerTimeoutUnit": "ms",
		"BackendServer": [{"IP": "66.66.0.8", "MaxConn": 2000, "Port": 323, "Weight": "1"}]}],
	"TcpListeners": [{"ListenerName": "tcp", "ListenerMode": "tcp", "ListenerPort": 909, "MaxConn": 233,
		"Scheduler": "leastconn", "AclWhiteList": [],
		"ConnectTimeout": "555", "ConnectTimeoutUnit": "ms", "ClientTimeout": "666", "ClientTimeoutUnit": "ms",
		"ServerTimeout": "777", "ServerTimeoutUnit": "ms",
		"BackendServer": [{"IP": "164.52.35.242", "MaxConn": 2000, "Port": 909, "Weight": "1"}]}]}}`

// AddLoadBalancerStrategys adds listeners and keeps the others.
func ExampleClient_AddLoadBalancerStrategys() {
	srv := fakeCDS(nil)
	defer srv.Close()
	client := exampleClient(srv)

	resp, err := client.AddLoadBalancerStrategys(context.Background(), &cdslb.AddLoadBalancerStrategysRequest{
		InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248",
		HTTPListeners: []cdslb.HTTPListener{{
			ListenerName: "web", ListenerPort: 80, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 10000,
			ConnectTimeout: 5 * time.Second, ClientTimeout: 50 * time.Second, ServerTimeout: 50 * time.Second,
			BackendServers:     []cdslb.BackendServer{{IP: "10.0.0.11", Port: 8080, Weight: 1, MaxConn: 2000}},
			SessionPersistence: &cdslb.SessionPersistence{Key: "srv_id", Mode: cdslb.CookieModeVisible},
			HealthCheck:        &cdslb.HealthCheck{Method: "GET", URI: "/healthz"},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("task", resp.TaskID)
	// Output:
	// task c5d1e8a2-7f3b-4c9e-b0a6-3e2f9d7c1b84
}

func ExampleClient_DescribeLBInstancePerformance() {
	srv := fakeCDS(nil)
	defer srv.Close()
	client := exampleClient(srv)

	// Times are read and written in China Standard Time unless the client
	// is made WithLocation.
	cst := time.FixedZone("CST", 8*60*60)
	resp, err := client.DescribeLBInstancePerformance(context.Background(), &cdslb.DescribeLBInstancePerformanceRequest{
		InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248",
		MetricKey:    cdslb.MetricMemUsage,
		StartTime:    time.Date(2021, 10, 21, 13, 25, 0, 0, cst),
		EndTime:      time.Date(2021, 10, 21, 13, 28, 0, 0, cst),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("one sample every", resp.Period)
	for _, series := range resp.DataPoints {
		for _, s := range series.Values {
			fmt.Printf("%s %s %.2f%s\n", series.MetricName, s.Time.Format(time.TimeOnly), s.Value, series.Unit)
		}
	}
	// Output:
	// one sample every 30s
	// lb_current_memory 13:25:08 9.29%
	// lb_current_memory 13:25:38 9.29%
	// lb_current_memory 13:26:08 9.29%
	// lb_current_memory 13:26:38 9.29%
	// lb_current_memory 13:27:08 9.30%
	// lb_current_memory 13:27:38 9.32%
}

// ExampleWithHTTPClient shows how to test code that uses the library
// without a network: give the client an http.Client whose transport answers
// in process, here httpmock's. The client uses it as given.
func ExampleWithHTTPClient() {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodGet, cdslb.EndpointChinaMainland+"/lb/", httpmock.NewStringResponder(http.StatusOK,
		`{"Code": "Success", "Data": [{"InstanceUuid": "lb-1", "InstanceName": "web", "RegionId": "CN_Hongkong_A", "Status": "RUNNING"}]}`))
	client, err := cdslb.NewClient("AKIDEXAMPLE", "example-secret", cdslb.WithHTTPClient(&http.Client{Transport: mock}))
	if err != nil {
		panic(err)
	}

	resp, err := client.DescribeLoadBalancers(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.LoadBalancers[0].InstanceName, resp.LoadBalancers[0].Status)
	fmt.Println(mock.GetTotalCallCount(), "request, none on the network")
	// Output:
	// web RUNNING
	// 1 request, none on the network
}
