// Package loadgen is `switchyard bench`, the project's load tool: it drives
// PutPartnerEvents or PutEvents through the real AWS SDK at a given rate or
// as fast as it can, and reports ingest events/s and acknowledgement
// latency percentiles; optionally end-to-end delivery latency to a local
// HTTP receiver (--sink http), the cost of an archive (--archive) and the
// speed of a replay (--replay).
//
// It never starts a switchyard itself: package main hands it a
// ServerStarter. It speaks to the server only through the SDK, as a user
// would.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// Config is what `switchyard bench` can be told.
type Config struct {
	Endpoint   string        // a running server; empty starts one in-process
	DataDir    string        // for the in-process server; empty: a temporary directory
	Op         string        // "partner" (PutPartnerEvents) or "events" (PutEvents)
	Clients    int           // concurrent SDK clients
	Batch      int           // entries per request
	Size       int           // bytes of Detail per entry
	Duration   time.Duration // how long to measure
	Warmup     time.Duration // how long to run the same load, unmeasured, before measuring
	Rate       int           // target events/s over all clients; 0: as fast as possible
	Partner    string        // partner account (access key id in dev mode)
	Customer   string        // customer account
	SourceTag  string        // makes the source name unique per run
	CPUProfile string        // file for a CPU profile of the measured run
	MemProfile string        // file for a heap profile taken at the end of the measured run
	Sink       string        // "" (none), "http" (a local receiver through an API destination) or "sqs" (a local SQS endpoint)
	NullServer bool          // bench a server that only answers (startNullServer): the client's and HTTP's cost alone
	NoMetrics  bool          // run the in-process server with --metrics=false
	Archive    bool          // archive every event of the bench's bus
	Replay     bool          // after the run, replay the archive to a rule with a bus target and report its speed
}

// A ServerStarter runs a switchyard in this process with throttling off,
// and returns its address and how to stop it.
type ServerStarter func(ctx context.Context, opts ServerOptions) (addr string, stop func(), err error)

// ServerOptions say what the in-process server must be.
type ServerOptions struct {
	// DataDir holds its state; a temporary directory if empty.
	DataDir string
	// AWSEndpoint, if set, is where its AWS-service targets go (--sink
	// sqs), with fixed local credentials.
	AWSEndpoint string
	// NoMetrics turns its metrics off.
	NoMetrics bool
}

// Run runs the load cfg describes and writes its report to out. Without
// an endpoint it benches a server start runs in this process.
func Run(ctx context.Context, cfg Config, start ServerStarter, out io.Writer) error {
	endpoint := cfg.Endpoint
	if cfg.NullServer {
		addr, stop, err := startNullServer(cfg.Batch)
		if err != nil {
			return err
		}
		defer stop()
		endpoint = "http://" + addr
	}
	var sink *httpSink
	if cfg.Sink == "sqs" { // before the server, which must know the sink's address
		var err error
		if sink, err = startSQSSink(); err != nil {
			return err
		}
		defer sink.close()
	}
	if endpoint == "" {
		opts := ServerOptions{DataDir: cfg.DataDir, NoMetrics: cfg.NoMetrics}
		if sink != nil {
			opts.AWSEndpoint = sink.url()
		}
		addr, stop, err := start(ctx, opts)
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
	if cfg.Sink == "sqs" {
		if err := sink.routeToSQS(ctx, cfg, endpoint, entries); err != nil {
			return err
		}
		entries.stampPad = benchPad(cfg.Size)
	}
	if cfg.Sink == "http" {
		if sink, err = startHTTPSink(ctx, cfg, endpoint, entries); err != nil {
			return err
		}
		defer sink.close()
		entries.stampPad = benchPad(cfg.Size)
	}
	if cfg.Warmup > 0 {
		warm := cfg
		warm.Duration = cfg.Warmup
		runBench(ctx, warm, endpoint, entries)
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
	if sink != nil {
		sink.begin()
	}
	res := runBench(ctx, cfg, endpoint, entries)
	if cfg.CPUProfile != "" { // only its own: in a test binary it would end -test.cpuprofile's
		pprof.StopCPUProfile()
	}
	if cfg.MemProfile != "" {
		if err := writeHeapProfile(cfg.MemProfile); err != nil {
			return err
		}
	}
	res.print(out, cfg, endpoint)
	if sink != nil {
		sink.report(out, res.events, 30*time.Second)
	}
	if res.errors > 0 && res.events == 0 {
		return fmt.Errorf("every request failed; first error: %v", res.firstErr)
	}
	if cfg.Replay {
		return benchReplay(ctx, cfg, endpoint, entries.bus, out)
	}
	return nil
}

// writeHeapProfile writes the heap profile as of the last garbage
// collection to file.
func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ParseFlags reads `switchyard bench`'s flags; -h gives flag.ErrHelp.
func ParseFlags(args []string) (Config, error) {
	c := Config{Op: "partner", Clients: 8, Batch: 20, Size: 1024, Duration: 10 * time.Second,
		Partner: "111111111111", Customer: "222222222222", SourceTag: fmt.Sprint(time.Now().UnixNano())}
	fs := flag.NewFlagSet("switchyard bench", flag.ContinueOnError)
	fs.StringVar(&c.Endpoint, "endpoint", c.Endpoint, "`URL` of a running switchyard (dev auth); empty starts one in-process")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory of the in-process server (default: a temporary one)")
	fs.StringVar(&c.Op, "op", c.Op, "partner (PutPartnerEvents) or events (PutEvents)")
	fs.IntVar(&c.Clients, "clients", c.Clients, "concurrent clients")
	fs.IntVar(&c.Batch, "batch", c.Batch, "entries per request")
	fs.IntVar(&c.Size, "size", c.Size, "bytes of Detail per entry")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "how long to measure")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "how long to run the same load before measuring, so figures are of a warmed-up server (0: none)")
	fs.IntVar(&c.Rate, "rate", c.Rate, "target events/s over all clients (0: as fast as possible)")
	fs.StringVar(&c.Sink, "sink", c.Sink, "where routed events go: none, http (a local receiver behind an API destination) or sqs (an SQS target on a local SQS endpoint, in-process server only); both report delivery latency")
	fs.BoolVar(&c.NullServer, "null-server", c.NullServer, "bench a local server that reads requests and answers with canned success: what the client and HTTP alone allow on this machine")
	fs.BoolVar(&c.Archive, "archive", c.Archive, "archive every event of the bench's bus (an archive without a pattern)")
	fs.BoolVar(&c.Replay, "replay", c.Replay, "after the run, replay the archived events to a rule whose target is another bus, and report the replay's speed (implies --archive)")
	fs.BoolVar(&c.NoMetrics, "no-metrics", c.NoMetrics, "run the in-process server without metrics (--metrics=false), to measure what they cost")
	fs.StringVar(&c.CPUProfile, "cpuprofile", c.CPUProfile, "write a CPU profile of the measured run (client and in-process server) to `FILE`")
	fs.StringVar(&c.MemProfile, "memprofile", c.MemProfile, "write a heap profile, taken at the end of the measured run, to `FILE`")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Archive = c.Archive || c.Replay
	switch {
	case c.Archive && c.NullServer:
		return c, errors.New("--archive and --replay need a switchyard, not --null-server")
	case c.Op != "partner" && c.Op != "events":
		return c, fmt.Errorf("--op must be partner or events, not %q", c.Op)
	case c.NullServer && (c.Endpoint != "" || c.Sink == "http" || c.Sink == "sqs"):
		return c, errors.New("--null-server goes with neither --endpoint nor --sink")
	case c.Sink == "sqs" && c.Endpoint != "":
		return c, errors.New("--sink sqs needs the in-process server (no --endpoint): it points the server's SQS targets at the sink")
	case c.Sink != "" && c.Sink != "none" && c.Sink != "http" && c.Sink != "sqs":
		return c, fmt.Errorf("--sink must be none, http or sqs, not %q", c.Sink)
	case c.Clients < 1 || c.Batch < 1 || c.Size < 2 || c.Duration <= 0 || c.Rate < 0 || c.Warmup < 0:
		return c, errors.New("--clients, --batch and --duration must be positive, --size at least 2, --rate and --warmup not negative")
	case c.Op == "partner" && c.Batch > 20, c.Op == "events" && c.Batch > 10:
		return c, fmt.Errorf("--batch %d is over the operation's limit (PutPartnerEvents 20, PutEvents 10)", c.Batch)
	}
	return c, nil
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
	// stampPad, when set, makes send give every entry a fresh Detail
	// carrying its send time: {"sent":<unix ns>,"pad":"<stampPad>"}.
	stampPad string
	// bus is the bus the entries go to (in the customer account).
	bus string
}

// benchPad is the padding that makes a Detail of size bytes.
func benchPad(size int) string {
	return strings.Repeat("x", max(0, size-len(`{"pad":""}`)))
}

// prepareBench creates what the run needs (for partner events, an ACTIVE
// source: the source and its partner bus) and the entries every request sends.
func prepareBench(ctx context.Context, cfg Config, endpoint string) (benchEntries, error) {
	detail := `{"pad":"` + strings.Repeat("x", cfg.Size-len(`{"pad":""}`)) + `"}`
	if cfg.Size < len(`{"pad":""}`) {
		detail = `{}`
	}
	var e benchEntries
	if cfg.Op == "events" {
		for range cfg.Batch {
			e.events = append(e.events, types.PutEventsRequestEntry{Source: aws.String("bench"), DetailType: aws.String("bench"), Detail: aws.String(detail)})
		}
		e.bus = "default"
		return e, benchArchive(ctx, cfg, endpoint, e.bus)
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
	e.bus = source
	return e, benchArchive(ctx, cfg, endpoint, e.bus)
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
func runBench(ctx context.Context, cfg Config, endpoint string, e benchEntries) benchResult {
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
	if e.stampPad != "" {
		e = e.stamped(time.Now())
	}
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

func (r benchResult) print(w io.Writer, cfg Config, endpoint string) {
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
	warmup := ""
	if cfg.Warmup > 0 {
		warmup = fmt.Sprintf(" after %s of warm-up", cfg.Warmup)
	}
	fmt.Fprintf(w, "switchyard bench: %s, %d clients x %d entries of %d bytes, rate %s, %s%s against %s\n",
		op, cfg.Clients, cfg.Batch, cfg.Size, rate, cfg.Duration, warmup, endpoint)
	fmt.Fprintf(w, "ingest:  %.0f events/s acknowledged (%d events, %d requests, %d failed requests)\n",
		float64(r.events)/r.elapsed.Seconds(), r.events, r.requests, r.errors)
	fmt.Fprintf(w, "ack latency: p50 %v  p99 %v  p999 %v  max %v\n",
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(0.999).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	if r.firstErr != nil {
		fmt.Fprintf(w, "first error: %v\n", r.firstErr)
	}
}

// stamped returns a copy of e whose entries carry now as their send time.
func (e benchEntries) stamped(now time.Time) benchEntries {
	detail := aws.String(`{"sent":` + fmt.Sprint(now.UnixNano()) + `,"pad":"` + e.stampPad + `"}`)
	out := benchEntries{partner: slices.Clone(e.partner), events: slices.Clone(e.events)}
	for i := range out.partner {
		out.partner[i].Detail = detail
	}
	for i := range out.events {
		out.events[i].Detail = detail
	}
	return out
}

// benchSinkRate is the sink destination's InvocationRateLimitPerSecond:
// high enough never to be what limits the bench.
const benchSinkRate = 100000

// An httpSink is the customer's endpoint of `bench --sink http`: a local
// HTTP receiver behind an API destination on an API_KEY connection,
// targeted by a rule on the benched bus. It measures each event from the
// send time in its Detail to its arrival.
type httpSink struct {
	name  string // in the report: "http sink", "sqs sink"
	srv   *http.Server
	ln    net.Listener
	start time.Time // when the measured run began; set by begin

	mu        sync.Mutex // guards the fields below
	latencies []time.Duration
	last      time.Time // latest arrival of a measured event
	warm      int       // warm-up events received
}

// startHTTPSink starts the receiver and creates the connection, the API
// destination and the rule, then sends warm-up events until one arrives,
// so the router routes the rule before the measured run.
func startHTTPSink(ctx context.Context, cfg Config, endpoint string, e benchEntries) (*httpSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &httpSink{name: "http sink", ln: ln}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	fail := func(what string, err error) (*httpSink, error) {
		s.close()
		return nil, fmt.Errorf("bench --sink http: %s: %w", what, err)
	}
	bus, source := "default", "bench"
	if e.partner != nil {
		bus, source = aws.ToString(e.partner[0].Source), aws.ToString(e.partner[0].Source)
	}
	c, name := benchClient(endpoint, cfg.Customer), "bench-"+cfg.SourceTag
	conn, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String(name), AuthorizationType: types.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &types.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("bench")}}})
	if err != nil {
		return fail("create the connection", err)
	}
	dest, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String(name), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String("http://" + ln.Addr().String() + "/bench"), HttpMethod: types.ApiDestinationHttpMethodPost,
		InvocationRateLimitPerSecond: aws.Int32(benchSinkRate)})
	if err != nil {
		return fail("create the API destination", err)
	}
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventBusName: aws.String(bus),
		EventPattern: aws.String(`{"source":["` + source + `"]}`)}); err != nil {
		return fail("create the rule", err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), EventBusName: aws.String(bus),
		Targets: []types.Target{{Id: aws.String("http"), Arn: dest.ApiDestinationArn}}}); err != nil {
		return fail("add the rule's target", err)
	}
	if err := s.warmUp(ctx, cfg, endpoint, e); err != nil {
		return fail("warm up", err)
	}
	return s, nil
}

// warmUp sends one unstamped event every half second until one arrives.
func (s *httpSink) warmUp(ctx context.Context, cfg Config, endpoint string, e benchEntries) error {
	account := cfg.Partner
	if e.partner == nil {
		account = cfg.Customer
	}
	one := benchEntries{}
	if e.partner != nil {
		one.partner = e.partner[:1]
	} else {
		one.events = e.events[:1]
	}
	c := benchClient(endpoint, account)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := send(ctx, c, one); err != nil {
			return err
		}
		for range 10 {
			time.Sleep(50 * time.Millisecond)
			s.mu.Lock()
			warm := s.warm
			s.mu.Unlock()
			if warm > 0 {
				return nil
			}
		}
	}
	return errors.New("no event reached the receiver in 20s")
}

// serve records one delivered event.
func (s *httpSink) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.arrived(body, now)
	w.WriteHeader(http.StatusNoContent)
}

// arrived records the arrival of an envelope at now.
func (s *httpSink) arrived(body []byte, now time.Time) {
	sent := sentStamp(body)
	s.mu.Lock()
	if sent == 0 {
		s.warm++
	} else if start := s.start; !start.IsZero() && sent >= start.UnixNano() { // sent during the measured run
		s.latencies = append(s.latencies, now.Sub(time.Unix(0, sent)))
		s.last = now
	}
	s.mu.Unlock()
}

// sentStamp returns the send time (unix ns) that stamped put in an
// envelope's Detail, or 0 if there is none. It reads the envelope as
// switchyard writes it (detail last, its "sent" first) rather than decoding
// it: the receiver shares the machine with what it measures.
func sentStamp(envelope []byte) int64 {
	const key = `"detail":{"sent":`
	i := bytes.Index(envelope, []byte(key))
	if i < 0 {
		return 0
	}
	digits := envelope[i+len(key):]
	end := 0
	for end < len(digits) && '0' <= digits[end] && digits[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(string(digits[:end]), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// begin marks the start of the measured run.
func (s *httpSink) begin() {
	s.mu.Lock()
	s.start = time.Now()
	s.mu.Unlock()
}

// report waits until acked events have arrived (or none arrived for idle),
// then prints delivered events/s and delivery latency percentiles.
func (s *httpSink) report(w io.Writer, acked int64, idle time.Duration) {
	var n int
	lastChange, seen := time.Now(), -1
	for {
		s.mu.Lock()
		n = len(s.latencies)
		s.mu.Unlock()
		if int64(n) >= acked || time.Since(lastChange) > idle {
			break
		}
		if n != seen {
			seen, lastChange = n, time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
	lat := slices.Clone(s.latencies)
	span := s.last.Sub(s.start)
	s.mu.Unlock()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(10 * time.Microsecond)
	}
	rate := 0.0
	if span > 0 {
		rate = float64(len(lat)) / span.Seconds()
	}
	fmt.Fprintf(w, "delivery (%s): %d of %d acknowledged events delivered, %.0f events/s (run start to last arrival %v)\n",
		s.name, len(lat), acked, rate, span.Round(time.Millisecond))
	fmt.Fprintf(w, "delivery latency (send to arrival at the receiver): p50 %v  p99 %v  max %v\n", pct(0.50), pct(0.99), pct(1))
}

// close stops the receiver.
func (s *httpSink) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}
