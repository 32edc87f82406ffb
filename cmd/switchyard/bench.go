package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/loadgen"
)

// bench runs `switchyard bench` (package loadgen), against its own
// in-process server unless --endpoint names one.
func bench(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := loadgen.ParseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	if err != nil {
		return err
	}
	return loadgen.Run(ctx, cfg, startBenchServer, out)
}

// startBenchServer runs switchyard in this process with throttling off, so
// the figures measure the server and not the quota.
func startBenchServer(ctx context.Context, opts loadgen.ServerOptions) (addr string, stop func(), err error) {
	dir := opts.DataDir
	cleanup := func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "switchyard-bench-"); err != nil {
			return "", nil, err
		}
		cleanup = func() { os.RemoveAll(dir) }
	}
	m := NewMain()
	if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", dir}, func(string) string { return "" }); err != nil {
		cleanup()
		return "", nil, err
	}
	m.Config.API.Throttle = api.Throttle{} // no limit
	m.Config.Metrics = !opts.NoMetrics
	if opts.AWSEndpoint != "" {
		m.Config.Routing.AWS = &aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(opts.AWSEndpoint),
			Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench", "")}
	}
	m.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := m.Run(ctx); err != nil {
		cleanup()
		return "", nil, err
	}
	return m.Addr(), func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = m.Close(closeCtx)
		cleanup()
	}, nil
}
