package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// TestMigrateRefuses: migrate names what is missing, refuses a source that
// a server still runs on, and a target no server runs on (opened alone, a
// cluster node's directory would be written as a single server's).
func TestMigrateRefuses(t *testing.T) {
	parallel(t)
	running, _ := startServer(t, t.TempDir(), nil)
	stopped := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--data-dir", stopped}, "needs --from"},
		{[]string{"--from", stopped}, "needs --data-dir"},
		{[]string{"--from", running.Config.DataDir, "--data-dir", stopped}, "stop it first"},
		{[]string{"--from", stopped, "--data-dir", t.TempDir()}, "no switchyard runs on"},
		{[]string{"--from", stopped, "--data-dir", running.Config.DataDir, "extra"}, "unexpected arguments"},
	} {
		err := runMigrate(context.Background(), tc.args, func(string) string { return "" }, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("migrate %v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}

// TestMigrate copies a stopped server's data into a running one through
// the command, and the running one then serves the copied bus and rule.
func TestMigrate(t *testing.T) {
	parallel(t)
	old := t.TempDir()
	m, stop := startServer(t, old, nil)
	c := clientFor(m, customerAcct)
	createBus(t, c, "orders")
	putRule(t, c, "orders", "r", `{"source":["shop"]}`, types.RuleStateEnabled)
	stop()

	target, _ := startServer(t, t.TempDir(), nil)
	var out bytes.Buffer
	if err := runMigrate(context.Background(), []string{"--from", old, "--data-dir", target.Config.DataDir}, func(string) string { return "" }, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "KV_rules: ") || !strings.Contains(out.String(), "streams copied from") {
		t.Errorf("migrate said:\n%s", out.String())
	}
	got := must[*eventbridge.DescribeRuleOutput](t)(clientFor(target, customerAcct).DescribeRule(context.Background(),
		&eventbridge.DescribeRuleInput{Name: aws.String("r"), EventBusName: aws.String("orders")}))
	if aws.ToString(got.EventPattern) != `{"source":["shop"]}` {
		t.Errorf("copied rule's pattern %q", aws.ToString(got.EventPattern))
	}
}

// TestClusterCommandRefuses: `switchyard cluster` needs a running cluster
// node's data directory and a known operation; TestEmbeddedClusterReplacesEachNode
// runs its peers listing on a cluster.
func TestClusterCommandRefuses(t *testing.T) {
	parallel(t)
	single, _ := startServer(t, t.TempDir(), nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "needs --data-dir"},
		{[]string{"remove", "--data-dir", single.Config.DataDir}, "needs the NAME"},
		{[]string{"join", "--data-dir", single.Config.DataDir}, `unknown cluster command "join"`},
		{[]string{"peers", "--data-dir", single.Config.DataDir, "extra"}, "unexpected arguments"},
		{[]string{"peers", "--data-dir", single.Config.DataDir}, "no running cluster node with --nats-listen advertises its system account"},
	} {
		err := runCluster(context.Background(), tc.args, func(string) string { return "" }, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("cluster %v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}
