package awstarget

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// startKinesalite runs kinesalite (an independent implementation of the
// Kinesis API, from npm: `npm install kinesalite@3.3.3`) on a free loopback
// port and returns its URL; the test is skipped when it is not installed
// (SWITCHYARD_KINESALITE names the executable, else it is looked up on
// PATH).
func startKinesalite(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("SWITCHYARD_KINESALITE")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("kinesalite"); err != nil {
			t.Skip("kinesalite is not installed (npm install kinesalite@3.3.3; SWITCHYARD_KINESALITE=path/to/kinesalite)")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--createStreamMs", "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("kinesalite never listened on %s: %v", addr, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A holdingProxy passes calls to a server, counting them by X-Amz-Target,
// and holds PutRecord calls while hold is open.
type holdingProxy struct {
	next http.Handler
	mu   sync.Mutex
	ops  map[string]int // guarded by mu
	held int            // PutRecord calls waiting; guarded by mu
	hold chan struct{}
}

func (p *holdingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	p.mu.Lock()
	p.ops[op]++
	hold := op == "Kinesis_20131202.PutRecord"
	if hold {
		p.held++
	}
	p.mu.Unlock()
	if hold {
		<-p.hold
	}
	p.next.ServeHTTP(w, r)
}

func (p *holdingProxy) count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if op == "held" {
		return p.held
	}
	return p.ops[op]
}

// TestKinesalite puts records through the Kinesis target into kinesalite
// and reads them back: each record's data and partition key (from
// PartitionKeyPath) are there. A proxy holds the first PutRecord calls
// until every slot is busy and more records wait, so these go in PutRecords
// calls: both calls are checked against kinesalite.
func TestKinesalite(t *testing.T) {
	url := startKinesalite(t)
	target, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &holdingProxy{next: httputil.NewSingleHostReverseProxy(target), ops: map[string]int{}, hold: make(chan struct{})}
	front := httptest.NewServer(proxy)
	defer front.Close()
	release := sync.OnceFunc(func() { close(proxy.hold) })
	defer release()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(front.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDKINESALITE", "secret", "")}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	kc := kinesis.NewFromConfig(cfg)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for {
		out, err := kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("clicks")})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescription.StreamStatus == ktypes.StreamStatusActive {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("stream never became ACTIVE")
		case <-time.After(20 * time.Millisecond):
		}
	}

	tg := New(Config{Base: &cfg})
	streamArn := "arn:aws:kinesis:us-east-1:000000000000:stream/clicks"
	k, ok := tg.Kinds().For(streamArn)
	if !ok {
		t.Fatal("no kind for the stream")
	}
	const lone, waiting = batchesInFlight, 17
	want := map[string]string{} // data -> partition key
	var mu sync.Mutex
	var wg sync.WaitGroup
	send := func(i int) {
		env := fmt.Sprintf(`{"id":"e%d","detail":{"customer":"c-%d"}}`, i, i%3)
		mu.Lock()
		want[env] = fmt.Sprintf("c-%d", i%3)
		mu.Unlock()
		j := &delivery.Job{Target: eventbus.Target{ID: "k", Arn: streamArn, Spec: []byte(`{"KinesisParameters":{"PartitionKeyPath":"$.detail.customer"}}`)},
			Event: eventbus.Event{ID: fmt.Sprintf("e%d", i), Envelope: []byte(env)}}
		if err := k.Sender.Send(ctx, delivery.Delivery{Job: j, Input: []byte(env)}); err != nil {
			t.Error(err)
		}
	}
	for i := range lone {
		wg.Go(func() { send(i) })
	}
	waitFor(t, func() bool { return proxy.count("held") == lone })
	for i := lone; i < lone+waiting; i++ {
		wg.Go(func() { send(i) })
	}
	waitFor(t, func() bool { return waitingAt(tg.kinesis.batch)() == waiting })
	release()
	wg.Wait()
	if proxy.count("Kinesis_20131202.PutRecords") == 0 {
		t.Errorf("no PutRecords call: %v", proxy.ops)
	}

	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("clicks")})
	if err != nil || len(shards.Shards) != 1 {
		t.Fatalf("ListShards: %v, %v", shards, err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("clicks"),
		ShardId: shards.Shards[0].ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for iter := it.ShardIterator; iter != nil && len(got) < len(want); {
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Records {
			got[string(r.Data)] = aws.ToString(r.PartitionKey)
		}
		iter = out.NextShardIterator
	}
	if len(got) != len(want) {
		t.Fatalf("read %d records back, want %d", len(got), len(want))
	}
	for data, key := range want {
		if got[data] != key {
			t.Errorf("record %s: partition key %q, want %q", data, got[data], key)
		}
	}
}
