package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/switchyard/switchyard/internal/archive"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/delivery/awstarget"
	"github.com/switchyard/switchyard/internal/delivery/bustarget"
	"github.com/switchyard/switchyard/internal/delivery/httptarget"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/router"
	"github.com/switchyard/switchyard/internal/schedule"
)

// RoutingConfig is how `switchyard serve` routes and delivers events. Zero
// fields take the defaults of the packages they configure.
type RoutingConfig struct {
	// Workers: sends running at once in this process.
	Workers int
	// RouterConsumers: goroutines of this process routing the event log.
	RouterConsumers int
	// RouterAckWait: how long routing a log batch may go silent before
	// another router (perhaps in another process) takes it over.
	RouterAckWait time.Duration
	// SendTimeout bounds one delivery attempt.
	SendTimeout time.Duration
	// AckWait: how long a delivery may go silent before another worker
	// (perhaps in another process) takes the job over.
	AckWait time.Duration
	// MaxDeliver: the queue's bound on deliveries of one batch.
	MaxDeliver int
	// MaxAckPending: queued batches delivered or waiting to be due at once,
	// across all processes.
	MaxAckPending int
	// BackoffBase and BackoffMax shape retry delays.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// DedupWindow: the queue's de-duplication window.
	DedupWindow time.Duration
	// QueueMaxBytes: size bound of the delivery queue (0: none).
	QueueMaxBytes int64
	// DeadLetterMaxAge: how long dead letters are kept (0: 14 days,
	// negative: forever).
	DeadLetterMaxAge time.Duration
	// SchedulePoll: how often scheduled rules are checked for due ticks;
	// ScheduleCatchUp: how late a tick missed while no process ran may
	// still fire (0: the schedule package's defaults).
	SchedulePoll    time.Duration
	ScheduleCatchUp time.Duration

	// AWSEndpoint, if set, is the endpoint of every AWS service targets are
	// delivered to (overriding AWS_ENDPOINT_URL and
	// AWS_ENDPOINT_URL_<SERVICE>).
	AWSEndpoint string
	// AssumeTargetRoles makes deliveries to AWS services with the target's
	// RoleArn, assumed through STS.
	AssumeTargetRoles bool
	// AWSMaxConnsPerHost bounds the connections to one AWS endpoint (0:
	// awstarget.DefaultMaxConnsPerHost).
	AWSMaxConnsPerHost int
	// AWS, if set, is the AWS SDK configuration AWS-service targets start
	// from instead of the SDK's defaults; tests point it at a local
	// server. Not a flag.
	AWS *aws.Config

	// ExtraKinds are target kinds delivered besides the built-in ones, and
	// before them (the first kind accepting an ARN handles it); tests add
	// recording or failing kinds here. Not a flag.
	ExtraKinds delivery.Kinds
	// Now is the delivery clock (retry age, ingestion time of forwarded
	// events): time.Now if nil. Not a flag.
	Now func() time.Time
	// ReplayBatch: archived events a replay reads between two progress
	// records (0: the archive package's default). Not a flag.
	ReplayBatch int
	// Observe, if set, is given the router's rule table once it is loaded,
	// so tests can wait for a rule change to reach the router. Not a flag.
	Observe func(*router.Table)
}

// addFlags registers the routing flags on fs.
func (c *RoutingConfig) addFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Workers, "delivery-workers", c.Workers, "sends running at once in this process (0: default 64)")
	fs.IntVar(&c.RouterConsumers, "router-consumers", c.RouterConsumers, "goroutines routing the event log in this process (0: default 1)")
	fs.DurationVar(&c.RouterAckWait, "router-ack-wait", c.RouterAckWait, "silence after which a log batch being routed is handed to another router (0: default 30s)")
	fs.DurationVar(&c.SendTimeout, "delivery-timeout", c.SendTimeout, "time limit of one delivery attempt (0: default 30s)")
	fs.DurationVar(&c.AckWait, "delivery-ack-wait", c.AckWait, "silence after which a delivery is handed to another worker (0: default 30s)")
	fs.IntVar(&c.MaxDeliver, "delivery-max-deliver", c.MaxDeliver, "deliveries of one queued batch before its failing jobs are dead-lettered regardless (0: default 1000)")
	fs.IntVar(&c.MaxAckPending, "delivery-max-pending", c.MaxAckPending, "queued batches in flight or waiting to be due, across processes (0: default 20000)")
	fs.DurationVar(&c.BackoffBase, "retry-backoff-base", c.BackoffBase, "first retry delay (0: default 1s)")
	fs.DurationVar(&c.BackoffMax, "retry-backoff-max", c.BackoffMax, "longest retry delay (0: default 10m)")
	fs.DurationVar(&c.DedupWindow, "delivery-dedup-window", c.DedupWindow, "window in which a batch routed twice is queued once (0: default 2m)")
	fs.Int64Var(&c.QueueMaxBytes, "delivery-queue-max-bytes", c.QueueMaxBytes, "size bound of the delivery queue (0: none)")
	fs.StringVar(&c.AWSEndpoint, "aws-endpoint-url", c.AWSEndpoint, "`URL` of every AWS service that targets are delivered to (default: the SDK's, from AWS_ENDPOINT_URL[_<SERVICE>] or the shared config)")
	fs.BoolVar(&c.AssumeTargetRoles, "assume-target-roles", c.AssumeTargetRoles, "deliver to AWS-service targets with their RoleArn, assumed through STS")
	fs.IntVar(&c.AWSMaxConnsPerHost, "aws-max-conns-per-host", c.AWSMaxConnsPerHost, "connections to one AWS endpoint (0: default 64)")
	fs.DurationVar(&c.DeadLetterMaxAge, "deadletter-max-age", c.DeadLetterMaxAge, "how long dead letters are kept (0: 14 days, negative: forever)")
	fs.DurationVar(&c.SchedulePoll, "schedule-poll", c.SchedulePoll, "how often scheduled rules are checked for due ticks (0: default 1s)")
	fs.DurationVar(&c.ScheduleCatchUp, "schedule-catch-up", c.ScheduleCatchUp, "how late a tick missed while no switchyard ran may still fire; older ones are skipped (0: default 1h)")
}

// awsConfig is the configuration of AWS-service targets.
func (c *RoutingConfig) awsConfig(log *slog.Logger) awstarget.Config {
	return awstarget.Config{
		Endpoint: c.AWSEndpoint, AssumeRoles: c.AssumeTargetRoles, MaxConnsPerHost: c.AWSMaxConnsPerHost, Base: c.AWS, Log: log,
	}
}

// startRouting starts the router (event log → rules → delivery queue) and
// the delivery workers, registering their shutdown with onClose: the router
// stops routing first (a batch in flight finishes), then the workers stop
// taking jobs and finish the deliveries in flight. Both run before the
// event log and the JetStream connection close.
func (m *Main) startRouting(ctx context.Context) error {
	rc := m.Config.Routing
	log := m.Log.With("component", "routing")
	cfg := m.logConfig()
	cfg.FetchWait = routerFetchWait
	evlog, err := m.conn.EventLog(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	m.onClose("router event log", m.Config.Shutdown.EventLog, evlog.Close)
	q, err := m.conn.Queue(ctx, jetstream.QueueConfig{
		Duplicates: rc.DedupWindow, MaxBytes: rc.QueueMaxBytes, AckWait: rc.AckWait,
		MaxDeliver: rc.MaxDeliver, MaxAckPending: rc.MaxAckPending,
	})
	if err != nil {
		return fmt.Errorf("open delivery queue: %w", err)
	}
	dead, err := m.conn.DeadLetters(ctx, jetstream.DeadLetterConfig{MaxAge: rc.DeadLetterMaxAge})
	if err != nil {
		return fmt.Errorf("open dead letters: %w", err)
	}
	m.dead = dead
	jobs := delivery.Producer{Queue: q}

	buses := bustarget.New(bustarget.Config{
		Region: m.Config.Region, Buses: m.stores.Buses, Log: m.stores.Events,
		PolicyAllows: eventbus.PolicyAllows, Now: rc.Now,
	})
	apiDests := httptarget.New(httptarget.Config{
		Resolver: m.service, Deauthorizer: m.service, Now: rc.Now, Log: log,
	})
	archives := archive.NewSender(m.stores.ArchiveLog)
	kinds := append(append(delivery.Kinds{}, rc.ExtraKinds...), buses.Kind(), apiDests.Kind(), archives.Kind())
	kinds = append(append(kinds, m.awsTargets.Kinds()...), awstarget.Unsupported())
	_, routeLog, deliveryLog := m.busLogHooks()
	disp := delivery.NewDispatcher(delivery.Config{
		Workers: rc.Workers, SendTimeout: rc.SendTimeout,
		Backoff: delivery.Backoff{Base: rc.BackoffBase, Max: rc.BackoffMax},
		Now:     rc.Now, Log: log, Observer: m.obs.deliveryObserver(), BusLog: deliveryLog,
		Delivered: m.deliveredHook(),
	}.ForQueue(q.Limits()), kinds, delivery.DeadLetterRecords{Store: dead}, jobs)
	disp.Start(q)
	m.obs.queue, m.obs.evlog, m.obs.disp = q, evlog, disp
	m.onClose("delivery", m.Config.Shutdown.Delivery, disp.Close)

	r := router.New(router.Config{Region: m.Config.Region, Durable: router.DefaultDurable, Consumers: rc.RouterConsumers, Log: log,
		Observer: m.obs.routerObserver(), BusLog: routeLog, Inline: archives}, m.stores.Rules, evlog.Events(), jobs)
	if err := r.Start(ctx); err != nil {
		return err
	}
	m.obs.router = r
	m.onClose("router", m.Config.Shutdown.Router, r.Close)
	if rc.Observe != nil {
		rc.Observe(r.Table())
	}

	replayer := archive.NewReplayer(archive.ReplayConfig{
		Region: m.Config.Region, Replays: m.stores.Replays, Archives: m.stores.Archives, Events: m.stores.ArchiveLog,
		Queue: m.replays, Route: r.Table().RouteOnce, Jobs: jobs, Batch: rc.ReplayBatch, Now: rc.Now, Log: log,
	})
	replayer.Run()
	m.onClose("replays", m.Config.Shutdown.Router, replayer.Close)

	m.scheduler = schedule.New(schedule.Config{
		Region: m.Config.Region, Rules: m.stores.Rules, States: m.stores.Schedules, Jobs: jobs,
		Now: rc.Now, Poll: rc.SchedulePoll, CatchUp: rc.ScheduleCatchUp, Log: log,
	})
	if err := m.scheduler.Start(ctx); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	m.onClose("scheduler", m.Config.Shutdown.Router, m.scheduler.Close)
	return nil
}

// routerFetchWait is how long the router's idle pulls of the event log
// wait, and so how long stopping the router may take.
const routerFetchWait = 250 * time.Millisecond
