package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// BenchConfig is what `switchyard bench` can be told.
type BenchConfig struct {
	Endpoint   string        // a running server; empty starts one in-process
	DataDir    string        // for the in-process server; empty: a temporary directory
	Op         string        // "partner" (PutPartnerEvents) or "events" (PutEvents)
	Clients    int           // concurrent SDK clients
	Batch      int           // entries per request
	Size       int           // bytes of Detail per entry
	Duration   time.Duration // how long to measure
	Rate       int           // target events/s over all clients; 0: as fast as possible
	Partner    string        // partner account (access key id in dev mode)
	Customer   string        // customer account
	SourceTag  string        // makes the source name unique per run
	CPUProfile string        // file for a CPU profile of the measured run
}

// bench drives PutPartnerEvents or PutEvents through the AWS SDK and prints
// ingest events/s and acknowledgement latency percentiles.
func bench(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		stop, addr, err := startBenchServer(ctx, cfg)
		if err != nil {
			return err
		}
		defer stop()
		endpoint = "http://" + addr
	}
	entries, err := prepareBench(ctx, cfg, endpoint)
	if err != nil {
		return err
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	res := runBench(ctx, cfg, endpoint, entries)
	pprof.StopCPUProfile()
	res.print(out, cfg, endpoint)
	if res.errors > 0 && res.events == 0 {
		return fmt.Errorf("every request failed; first error: %v", res.firstErr)
	}
	return nil
}

func parseBenchFlags(args []string) (BenchConfig, error) {
	c := BenchConfig{Op: "partner", Clients: 8, Batch: 20, Size: 1024, Duration: 10 * time.Second,
		Partner: "111111111111", Customer: "222222222222", SourceTag: fmt.Sprint(time.Now().UnixNano())}
	fs := flag.NewFlagSet("switchyard bench", flag.ContinueOnError)
	fs.StringVar(&c.Endpoint, "endpoint", c.Endpoint, "`URL` of a running switchyard (dev auth); empty starts one in-process")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory of the in-process server (default: a temporary one)")
	fs.StringVar(&c.Op, "op", c.Op, "partner (PutPartnerEvents) or events (PutEvents)")
	fs.IntVar(&c.Clients, "clients", c.Clients, "concurrent clients")
	fs.IntVar(&c.Batch, "batch", c.Batch, "entries per request")
	fs.IntVar(&c.Size, "size", c.Size, "bytes of Detail per entry")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "how long to measure")
	fs.IntVar(&c.Rate, "rate", c.Rate, "target events/s over all clients (0: as fast as possible)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", c.CPUProfile, "write a CPU profile of the measured run (client and in-process server) to `FILE`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, errUsage
		}
		return c, err
	}
	switch {
	case c.Op != "partner" && c.Op != "events":
		return c, fmt.Errorf("--op must be partner or events, not %q", c.Op)
	case c.Clients < 1 || c.Batch < 1 || c.Size < 2 || c.Duration <= 0 || c.Rate < 0:
		return c, errors.New("--clients, --batch and --duration must be positive, --size at least 2, --rate not negative")
	case c.Op == "partner" && c.Batch > 20, c.Op == "events" && c.Batch > 10:
		return c, fmt.Errorf("--batch %d is over the operation's limit (PutPartnerEvents 20, PutEvents 10)", c.Batch)
	}
	return c, nil
}

// startBenchServer runs switchyard in this process with throttling off, so
// the figures measure the server and not the quota.
func startBenchServer(ctx context.Context, cfg BenchConfig) (stop func(), addr string, err error) {
	dir := cfg.DataDir
	cleanup := func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "switchyard-bench-"); err != nil {
			return nil, "", err
		}
		cleanup = func() { os.RemoveAll(dir) }
	}
	m := NewMain()
	if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", dir}, func(string) string { return "" }); err != nil {
		cleanup()
		return nil, "", err
	}
	m.Config.API.Throttle = nil
	m.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := m.Run(ctx); err != nil {
		cleanup()
		return nil, "", err
	}
	return func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = m.Close(closeCtx)
		cleanup()
	}, m.Addr(), nil
}

func benchClient(endpoint, account string) *eventbridge.Client {
	return eventbridge.NewFromConfig(aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: account, SecretAccessKey: "bench"}, nil
		}),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

// benchEntries is one request's entries, for whichever operation runs.
type benchEntries struct {
	partner []types.PutPartnerEventsRequestEntry
	events  []types.PutEventsRequestEntry
}

// prepareBench creates what the run needs (for partner events, an ACTIVE
// source: the source and its partner bus) and the entries every request sends.
func prepareBench(ctx context.Context, cfg BenchConfig, endpoint string) (benchEntries, error) {
	detail := `{"pad":"` + strings.Repeat("x", cfg.Size-len(`{"pad":""}`)) + `"}`
	if cfg.Size < len(`{"pad":""}`) {
		detail = `{}`
	}
	var e benchEntries
	if cfg.Op == "events" {
		for range cfg.Batch {
			e.events = append(e.events, types.PutEventsRequestEntry{Source: aws.String("bench"), DetailType: aws.String("bench"), Detail: aws.String(detail)})
		}
		return e, nil
	}
	source := "aws.partner/bench.switchyard/run/" + cfg.SourceTag
	if _, err := benchClient(endpoint, cfg.Partner).CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(source), Account: aws.String(cfg.Customer)}); err != nil {
		return e, fmt.Errorf("create the partner event source: %w", err)
	}
	if _, err := benchClient(endpoint, cfg.Customer).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(source), EventSourceName: aws.String(source)}); err != nil {
		return e, fmt.Errorf("create the partner event bus: %w", err)
	}
	for range cfg.Batch {
		e.partner = append(e.partner, types.PutPartnerEventsRequestEntry{Source: aws.String(source), DetailType: aws.String("bench"), Detail: aws.String(detail)})
	}
	return e, nil
}

type benchResult struct {
	elapsed   time.Duration
	events    int64
	requests  int64
	errors    int64
	firstErr  error
	latencies []time.Duration
}

// runBench runs cfg.Clients loops for cfg.Duration. With a rate, each client
// sends on a fixed schedule (open loop), so latency is measured at that load.
func runBench(ctx context.Context, cfg BenchConfig, endpoint string, e benchEntries) benchResult {
	var (
		res      benchResult
		mu       sync.Mutex // guards res.latencies and res.firstErr
		events   atomic.Int64
		requests atomic.Int64
		failures atomic.Int64
		wg       sync.WaitGroup
	)
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(cfg.Clients*cfg.Batch) / float64(cfg.Rate))
	}
	start := time.Now()
	for i := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			account := cfg.Partner
			if cfg.Op == "events" {
				account = cfg.Customer
			}
			client := benchClient(endpoint, account)
			next := time.Now().Add(time.Duration(i) * interval / time.Duration(cfg.Clients))
			var local []time.Duration
			for runCtx.Err() == nil {
				if interval > 0 {
					if d := time.Until(next); d > 0 {
						select {
						case <-runCtx.Done():
						case <-time.After(d):
						}
					}
					next = next.Add(interval)
				}
				t0 := time.Now()
				n, err := send(runCtx, client, e)
				if runCtx.Err() != nil {
					break
				}
				local = append(local, time.Since(t0))
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					mu.Lock()
					if res.firstErr == nil {
						res.firstErr = err
					}
					mu.Unlock()
					continue
				}
				events.Add(int64(n))
			}
			mu.Lock()
			res.latencies = append(res.latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.events, res.requests, res.errors = events.Load(), requests.Load(), failures.Load()
	return res
}

// send makes one request and returns how many entries were acknowledged.
func send(ctx context.Context, c *eventbridge.Client, e benchEntries) (int, error) {
	if e.partner != nil {
		out, err := c.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: e.partner})
		if err != nil {
			return 0, err
		}
		return len(e.partner) - int(out.FailedEntryCount), nil
	}
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: e.events})
	if err != nil {
		return 0, err
	}
	return len(e.events) - int(out.FailedEntryCount), nil
}

func (r benchResult) print(w io.Writer, cfg BenchConfig, endpoint string) {
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	op := map[string]string{"partner": "PutPartnerEvents", "events": "PutEvents"}[cfg.Op]
	rate := "unlimited"
	if cfg.Rate > 0 {
		rate = fmt.Sprintf("%d events/s", cfg.Rate)
	}
	fmt.Fprintf(w, "switchyard bench: %s, %d clients x %d entries of %d bytes, rate %s, %s against %s\n",
		op, cfg.Clients, cfg.Batch, cfg.Size, rate, cfg.Duration, endpoint)
	fmt.Fprintf(w, "ingest:  %.0f events/s acknowledged (%d events, %d requests, %d failed requests)\n",
		float64(r.events)/r.elapsed.Seconds(), r.events, r.requests, r.errors)
	fmt.Fprintf(w, "ack latency: p50 %v  p99 %v  p999 %v  max %v\n",
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(0.999).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	if r.firstErr != nil {
		fmt.Fprintf(w, "first error: %v\n", r.firstErr)
	}
}
