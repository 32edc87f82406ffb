package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which the browser test drives. Without
// it the test skips, except in CI (CI set), where it fails: .ci/run
// installs it.
const chromiumPath = "/usr/bin/chromium"

// shotsEnv names a directory the browser test also writes its screenshots
// to, to regenerate the README's (docs/console/).
const shotsEnv = "SWITCHYARD_CONSOLE_SHOTS"

// A browser drives one headless chromium tab for a test and records what
// the page writes to its console.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots []string // directories screenshots are saved in

	mu   sync.Mutex
	errs []string // console errors and uncaught exceptions; guarded by mu
	// apiErrors counts the 400 answers the browser logged; guarded by mu.
	apiErrors int
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: %s is missing (.ci/run installs it): %v", chromiumPath, err)
		}
		t.Skipf("%s not installed", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.WindowSize(1280, 800))
	if os.Geteuid() == 0 { // chromium refuses to sandbox itself as root
		opts = append(opts, chromedp.NoSandbox)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	b := &browser{t: t, ctx: ctx, base: base, shots: []string{t.TempDir()}}
	if dir := os.Getenv(shotsEnv); dir != "" {
		b.shots = append(b.shots, dir)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for msg, err := range messages {
			if err != nil {
				return
			}
			if msg.Type == chromedp.ConsoleError && msg.Source == "network" && strings.Contains(msg.Text, "status of 400") {
				// The browser logs every 4xx answer to fetch; the test
				// counts those it caused on purpose (API errors shown).
				b.mu.Lock()
				b.apiErrors++
				b.mu.Unlock()
				continue
			}
			if msg.Type == chromedp.ConsoleError || msg.IsException() {
				b.mu.Lock()
				b.errs = append(b.errs, fmt.Sprintf("%s (%s:%d)", msg, msg.URL, msg.Line))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// do runs actions, failing the test with step in the message.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (page errors: %v)", step, err, b.consoleErrors())
	}
}

// waitFor polls the JavaScript condition until it is true (at most 30 s).
func (b *browser) waitFor(step, cond string) {
	b.t.Helper()
	b.waitEvery(step, cond, 50*time.Millisecond)
}

// waitEvery is waitFor polling every interval, for conditions that act
// (click a refresh button) when false.
func (b *browser) waitEvery(step, cond string, interval time.Duration) {
	b.t.Helper()
	b.do(step, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](cond, chromedp.WithPollingInterval(interval), chromedp.WithPollingTimeout(30*time.Second))(ctx, t)
		return chromedp.Void{}, err
	})
}

// eval returns the value of a JavaScript expression (awaited if a promise).
func eval[T any](b *browser, step, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errs...)
}

// shot saves a PNG of the viewport as name.png in each screenshot directory.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	for _, dir := range b.shots {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// show opens a view by its hash and waits for cond.
func (b *browser) show(view, cond string) {
	b.t.Helper()
	b.do("open "+view, chromedp.Evaluate[chromedp.Void](`location.hash = "#`+view+`"; undefined`))
	b.waitFor("view "+view, cond)
}

// signIn signs in with account as the access key id (--auth dev).
func (b *browser) signIn(account string) {
	b.t.Helper()
	if eval[bool](b, "signed in?", `!document.getElementById("nav").hidden`) {
		b.do("sign out", chromedp.Click(chromedp.ID("signout")))
	}
	b.waitFor("sign-in form", `!document.getElementById("signin").hidden`)
	b.do("sign in as "+account,
		chromedp.SetValue(chromedp.ID("akid"), account),
		chromedp.SetValue(chromedp.ID("secret"), "console-test-secret"),
		chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)))
	b.waitFor("signed in as "+account, `document.getElementById("who-account").textContent.includes("`+account+`")`)
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string { return fmt.Sprintf("%q", s) }

// TestConsoleBrowser follows the partner flow in a real browser: the
// partner creates a source in the console, the customer sees it offered,
// creates the partner bus and a rule in the editor, the partner puts an
// event, and it appears in the customer's live stream and in the partner's
// counters as accepted and delivered.
func TestConsoleBrowser(t *testing.T) {
	m, _ := startServer(t, t.TempDir(), nil)
	b := newBrowser(t, "http://"+m.Addr()+"/console/")
	b.do("load", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(b.base))
	b.waitFor("page ready", `document.body.dataset.ready === "true"`)
	if fails := eval[[]string](b, "crypto self-test", `SY.crypto.selfTest()`); len(fails) > 0 {
		t.Fatalf("SHA-256/HMAC self-test: %v", fails)
	}
	checkPageSignature(t, b)
	if shown := eval[bool](b, "views before sign-in", `document.getElementById("nav").offsetParent !== null || document.getElementById("who").offsetParent !== null`); shown {
		t.Errorf("the views' links or Sign out are shown before signing in")
	}
	b.shot("signin")

	// The partner creates a source for the customer.
	b.signIn(partnerAcct)
	b.show("partner", `document.getElementById("partner-note").textContent.includes("`+partnerAcct+`")`)
	b.do("create source",
		chromedp.SetValue(chromedp.ID("cs-name"), srcName),
		chromedp.SetValue(chromedp.ID("cs-account"), customerAcct),
		chromedp.Click(chromedp.CSS(`#create-source button[type="submit"]`)))
	src := `document.querySelector('#partner-sources [data-source=` + jsString(srcName) + `]')`
	b.waitFor("source listed", src+` !== null`)

	// The customer sees it offered and creates the partner bus.
	b.signIn(customerAcct)
	row := `document.querySelector('tr[data-source=` + jsString(srcName) + `]')`
	b.show("sources", row+` !== null && `+row+`.textContent.includes("PENDING")`)
	b.shot("sources")
	b.do("create bus", chromedp.Click(chromedp.CSS(`tr[data-source="`+srcName+`"] button`)))
	b.waitFor("source ACTIVE", row+` !== null && `+row+`.textContent.includes("ACTIVE")`)

	// A rule in the editor: the playground first, an error where AWS puts it.
	b.show("buses", `document.querySelector('#bus-detail h2') !== null && document.querySelector('#bus-detail h2').textContent === `+jsString(srcName))
	b.do("new rule", chromedp.Click(chromedp.ID("new-rule")))
	b.waitFor("editor", `document.getElementById("rule-form") !== null`)
	b.do("bad pattern", chromedp.SetValue(chromedp.ID("rule-pattern"), `{"source": "not-an-array"}`), chromedp.Click(chromedp.ID("rule-test")))
	b.waitFor("pattern error shown", `document.getElementById("rule-error").textContent.includes("InvalidEventPatternException")`)
	pattern := `{"source": [` + jsString(srcName) + `], "detail-type": ["Order Created"]}`
	b.do("good pattern",
		chromedp.SetValue(chromedp.ID("rule-name"), "orders-to-default"),
		chromedp.SetValue(chromedp.ID("rule-pattern"), pattern),
		chromedp.SetValue(chromedp.ID("rule-sample"), fmt.Sprintf(`{"version":"0","id":"1","detail-type":"Order Created","source":%q,"account":%q,"time":"2026-12-02T10:00:00Z","region":"us-east-1","resources":[],"detail":{}}`, srcName, customerAcct)),
		chromedp.Click(chromedp.ID("rule-test")))
	b.waitFor("pattern matches", `document.getElementById("rule-test-result").textContent.includes("matches the sample")`)
	target := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/default"
	b.do("target", chromedp.SetValue(chromedp.ID("rule-target-arn"), target))
	b.shot("rule-editor")
	b.do("save rule", chromedp.Click(chromedp.ID("rule-save")))
	b.waitFor("rule listed", `(document.querySelector('tr[data-rule="orders-to-default"]') || {textContent: ""}).textContent.includes(`+jsString(target)+`)`)
	b.shot("buses")
	// A second target switchyard does not deliver to (CodeBuild), put with
	// the SDK: its events become dead letters at once.
	codebuild := "arn:aws:codebuild:us-east-1:" + customerAcct + ":project/orders"
	if out, err := clientFor(m, customerAcct).PutTargets(b.ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders-to-default"), EventBusName: aws.String(srcName),
		Targets: []types.Target{{Id: aws.String("build"), Arn: aws.String(codebuild)}}}); err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %v %+v", err, out)
	}

	// The live stream of the partner bus.
	b.show("live", `Array.from(document.querySelectorAll("#live-bus option")).some(o => o.value === `+jsString(srcName)+`)`)
	b.do("follow", chromedp.SetValue(chromedp.ID("live-bus"), srcName), chromedp.Click(chromedp.ID("live-start")))
	b.waitFor("following", `document.getElementById("live-status").textContent.startsWith("Following")`)

	out, err := clientFor(m, partnerAcct).PutPartnerEvents(b.ctx, &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{{
		Source: aws.String(srcName), DetailType: aws.String("Order Created"), Detail: aws.String(`{"orderId":"o-42","total":42.5}`),
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutPartnerEvents: %v %+v", err, out)
	}
	id := aws.ToString(out.Entries[0].EventId)
	b.waitFor("event in the live stream", `document.querySelector('#live-events li[data-id=`+jsString(id)+`]') !== null`)

	// Paused, a new event is held until resumed.
	b.do("pause", chromedp.Click(chromedp.ID("live-pause")))
	out, err = clientFor(m, partnerAcct).PutPartnerEvents(b.ctx, &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{{
		Source: aws.String(srcName), DetailType: aws.String("Order Created"), Detail: aws.String(`{"orderId":"o-43","total":1}`),
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutPartnerEvents: %v %+v", err, out)
	}
	held := aws.ToString(out.Entries[0].EventId)
	b.waitFor("event held", `document.getElementById("live-status").textContent.includes("1 new event(s) held")`)
	if n := eval[int](b, "shown while paused", `document.querySelectorAll('#live-events li[data-id=`+jsString(held)+`]').length`); n != 0 {
		t.Errorf("an event was shown while paused")
	}
	b.do("resume", chromedp.Click(chromedp.ID("live-pause")))
	b.waitFor("held event shown", `document.querySelector('#live-events li[data-id=`+jsString(held)+`]') !== null`)
	b.do("filter", chromedp.SetValue(chromedp.ID("live-filter"), "o-42"), chromedp.Evaluate[chromedp.Void](`document.getElementById("live-filter").dispatchEvent(new Event("input")); undefined`))
	if n := eval[int](b, "filtered", `Array.from(document.querySelectorAll("#live-events li")).filter(li => !li.hidden).length`); n != 1 {
		t.Errorf("%d events shown with the filter o-42, want 1", n)
	}
	b.shot("live")

	// The playground on the event just seen.
	b.do("forget the old view", chromedp.Evaluate[chromedp.Void](`document.getElementById("bus-detail").replaceChildren(); undefined`))
	b.show("buses", `document.querySelector('tr[data-rule="orders-to-default"] button') !== null`)
	b.do("edit rule", chromedp.Click(chromedp.CSS(`tr[data-rule="orders-to-default"] button`)))
	b.waitFor("editor", `document.getElementById("rule-use-recent") !== null`)
	b.do("use the event seen", chromedp.Click(chromedp.ID("rule-use-recent")), chromedp.Click(chromedp.ID("rule-test")))
	b.waitFor("seen event matches", `document.getElementById("rule-sample").value.includes(`+jsString(held)+`) && document.getElementById("rule-test-result").textContent.includes("matches the sample")`)

	dead := `document.querySelector('#dl-list [data-seq]')`
	b.show("deadletters", `document.getElementById("dl-status").textContent !== ""`)
	b.waitEvery("dead letter listed", dead+` !== null || (document.getElementById("dl-refresh").click(), false)`, 300*time.Millisecond)
	if text := eval[string](b, "dead letter", dead+`.textContent`); !strings.Contains(text, "ERROR_CODE") || !strings.Contains(text, codebuild) {
		t.Errorf("dead letter shows %q", text)
	}
	b.shot("deadletters")
	b.do("redrive", chromedp.Click(chromedp.CSS(`#dl-list [data-seq] button`)))
	b.waitFor("redriven", `document.getElementById("dl-status").textContent.includes("queued again") || document.getElementById("dl-status").textContent.includes("dead letter(s)")`)

	// The partner's counters: accepted and delivered.
	b.signIn(partnerAcct)
	if n := eval[int](b, "events left", `document.querySelectorAll("#live-events li").length`); n != 0 {
		t.Errorf("%d events of the customer still on the page after signing in as the partner", n)
	}
	count := func(kind string) string {
		return `(document.querySelector('#partner-sources [data-source=` + jsString(srcName) + `] [data-count="` + kind + `"] b') || {}).textContent`
	}
	b.show("partner", count("accepted")+` === "2" && `+count("delivered")+` === "2"`)
	b.shot("partner")
	checkKeyboard(t, b)
	b.do("conformance", chromedp.Click(chromedp.ID("conf-open")))
	b.waitFor("conformance report", `document.getElementById("conf-body").textContent.includes("first event delivered")`)
	b.shot("conformance")
	md := eval[string](b, "markdown export", `SY.exports["conf-md"]`)
	if !strings.Contains(md, srcName) || !strings.Contains(md, "customer created the partner event bus (ACTIVE)") {
		t.Errorf("markdown export:\n%s", md)
	}

	// Phone width.
	b.do("phone", chromedp.EmulateViewport(390, 844))
	b.show("partner", count("accepted")+` === "2"`)
	b.shot("partner-phone")
	b.signIn(customerAcct)
	b.show("buses", `document.querySelector('tr[data-rule="orders-to-default"]') !== null`)
	b.shot("buses-phone")

	b.mu.Lock()
	apiErrors := b.apiErrors
	b.mu.Unlock()
	if apiErrors != 1 { // the bad pattern tested on purpose
		t.Errorf("the browser logged %d API errors (400), want 1: the bad pattern", apiErrors)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// checkPageSignature compares the page's SigV4 Authorization header, made
// with WebCrypto and with its plain-JS fallback (what a page served over
// plain http on a non-loopback address uses), with the AWS SDK signer's for
// the same request.
func checkPageSignature(t *testing.T, b *browser) {
	t.Helper()
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	body := `{"Name":"default"}`
	req, err := http.NewRequest(http.MethodPost, "http://switchyard.example:4010/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSEvents.DescribeEventBus")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "events", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	want := req.Header.Get("Authorization")
	for _, plain := range []bool{false, true} {
		got := eval[string](b, "page signature", fmt.Sprintf(`SY.crypto.sign({accessKeyId: "AKIDEXAMPLE", secret: %q, region: "us-east-1",
			host: "switchyard.example:4010", path: "/", body: %q, now: new Date(%q), plain: %t,
			headers: {"content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.DescribeEventBus"}}).then(h => h.authorization)`,
			creds.SecretAccessKey, body, at.Format(time.RFC3339), plain))
		if got != want {
			t.Errorf("page signature (plain JS %t):\n%s\nSDK's:\n%s", plain, got, want)
		}
	}
}

// checkKeyboard tabs through the partner dashboard from the top: the
// views' links and the dashboard's buttons are reached by the keyboard
// alone, each with a visible focus outline.
func checkKeyboard(t *testing.T, b *browser) {
	t.Helper()
	b.do("focus the top", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.focus(); undefined`))
	want := map[string]bool{"#buses": false, "#live": false, "#deadletters": false, "create-source": false, "conf-open": false, "delete": false}
	for i := 0; i < 40; i++ {
		b.do("tab", chromedp.KeyEvent("\t"))
		got := eval[[]string](b, "focused", `(() => { const e = document.activeElement; const s = getComputedStyle(e);
			return [e.getAttribute("href") || e.id || (e.closest("form") || {}).id || e.textContent.trim().toLowerCase().split(" ")[0], s.outlineStyle, s.outlineWidth]; })()`)
		if _, ok := want[got[0]]; ok {
			want[got[0]] = true
			if got[1] == "none" || got[2] == "0px" {
				t.Errorf("%s has no visible focus: outline %s %s", got[0], got[1], got[2])
			}
		}
	}
	for k, reached := range want {
		if !reached {
			t.Errorf("%s not reached with Tab", k)
		}
	}
}
