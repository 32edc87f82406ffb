package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Stats are the gauges read at each scrape.
type Stats struct {
	// Queue and EventLog are the delivery queue's and the event log's
	// messages and the time the oldest was stored (zero when empty).
	Queue, EventLog StreamStats
	// StorageUsed is the bytes JetStream stores; StorageLimit its limit
	// and DiskFree the filesystem's free bytes, each -1 when unknown.
	StorageUsed  uint64
	StorageLimit int64
	DiskFree     int64
}

// StreamStats is one stream's depth.
type StreamStats struct {
	Msgs   uint64
	Oldest time.Time
}

// A StatsFunc reads Stats, within ctx; an error marks JetStream as down
// for that scrape.
type StatsFunc func(ctx context.Context) (Stats, error)

// statsTimeout bounds one scrape's read of Stats.
const statsTimeout = 5 * time.Second

// statsCollector exports Stats at each scrape.
type statsCollector struct {
	read StatsFunc
	now  func() time.Time

	up, queueMsgs, queueAge, logMsgs, logAge, used, limit, free *prometheus.Desc
}

func newStatsCollector(read StatsFunc, now func() time.Time) *statsCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &statsCollector{read: read, now: now,
		up:        d("switchyard_jetstream_up", "1 when JetStream answered this scrape's requests, else 0 (and the other JetStream gauges are absent)."),
		queueMsgs: d("switchyard_delivery_queue_messages", "Batches of delivery jobs queued: waiting, being delivered, or waiting for a retry."),
		queueAge:  d("switchyard_delivery_queue_oldest_age_seconds", "Age of the oldest queued delivery batch (0 when none)."),
		logMsgs:   d("switchyard_event_log_messages", "Event log messages (group commits of events) not yet routed."),
		logAge:    d("switchyard_event_log_oldest_age_seconds", "Age of the oldest event log message not yet routed (0 when none)."),
		used:      d("switchyard_jetstream_storage_used_bytes", "Bytes JetStream's file streams take."),
		limit:     d("switchyard_jetstream_storage_limit_bytes", "JetStream's storage limit for switchyard's account (absent when unlimited)."),
		free:      d("switchyard_jetstream_disk_free_bytes", "Free bytes on the embedded server's filesystem (absent with --nats-url)."),
	}
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.queueMsgs, c.queueAge, c.logMsgs, c.logAge, c.used, c.limit, c.free} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	s, err := c.read(ctx)
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	if err != nil {
		gauge(c.up, 0)
		return
	}
	gauge(c.up, 1)
	now := c.now()
	gauge(c.queueMsgs, float64(s.Queue.Msgs))
	gauge(c.queueAge, age(now, s.Queue.Oldest))
	gauge(c.logMsgs, float64(s.EventLog.Msgs))
	gauge(c.logAge, age(now, s.EventLog.Oldest))
	gauge(c.used, float64(s.StorageUsed))
	if s.StorageLimit >= 0 {
		gauge(c.limit, float64(s.StorageLimit))
	}
	if s.DiskFree >= 0 {
		gauge(c.free, float64(s.DiskFree))
	}
}

// age is the seconds since t, 0 for the zero time or one in the future.
func age(now, t time.Time) float64 {
	if t.IsZero() || t.After(now) {
		return 0
	}
	return now.Sub(t).Seconds()
}
