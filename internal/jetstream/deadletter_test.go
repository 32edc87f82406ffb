package jetstream

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func listAll(t *testing.T, d *DeadLetters, account string) []DeadLetter {
	t.Helper()
	var out []DeadLetter
	if err := d.List(t.Context(), account, func(dl DeadLetter) error {
		out = append(out, dl)
		return nil
	}); err != nil {
		t.Fatalf("List(%q): %v", account, err)
	}
	return out
}

func TestDeadLettersPutList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := openTest(t, dir)
	if _, err := c.OpenDeadLetters(t.Context(), DeadLetterConfig{}); !errors.Is(err, ErrNoDeadLetters) {
		t.Fatalf("OpenDeadLetters before creation: %v", err)
	}
	d, err := c.DeadLetters(t.Context(), DeadLetterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, d, ""); len(got) != 0 {
		t.Fatalf("empty store lists %d", len(got))
	}
	put := func(id, account, body string) {
		t.Helper()
		if err := d.Put(t.Context(), DeadLetter{ID: id, Account: account, Body: []byte(body),
			Headers: map[string]string{"RULE_ARN": "arn:rule/" + id, "RETRY_ATTEMPTS": "3"}}); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	put("a", "222222222222", `{"n":1}`)
	put("b", "333333333333", `{"n":2}`)
	put("a", "222222222222", `{"n":1}`) // a worker dead-lettering again after a crash
	put("c", "weird account.*", `{"n":3}`)

	all := listAll(t, d, "")
	if len(all) != 3 {
		t.Fatalf("listed %d dead letters, want 3 (one de-duplicated)", len(all))
	}
	first := all[0]
	if first.Account != "222222222222" || string(first.Body) != `{"n":1}` || first.Headers["RULE_ARN"] != "arn:rule/a" ||
		first.Headers["RETRY_ATTEMPTS"] != "3" || first.Seq != 1 || time.Since(first.Stored) > time.Minute {
		t.Errorf("first dead letter %+v", first)
	}
	if _, ok := first.Headers["Nats-Msg-Id"]; ok {
		t.Error("the de-duplication header is listed as an attribute")
	}
	if all[2].Account != "weird account.*" {
		t.Errorf("odd account round trip: %q", all[2].Account)
	}
	if got := listAll(t, d, "333333333333"); len(got) != 1 || string(got[0].Body) != `{"n":2}` {
		t.Errorf("one account's dead letters: %+v", got)
	}
	stop := errors.New("stop")
	n := 0
	if err := d.List(t.Context(), "", func(DeadLetter) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("List stops on fn's error: %v after %d", err, n)
	}
	if err := d.Put(t.Context(), DeadLetter{Account: "1", Headers: map[string]string{"ERROR_MESSAGE": "a\nb"}}); err == nil {
		t.Error("Put accepted a header with a line break")
	}

	// A reader binds to the stream without changing it.
	r, err := c.OpenDeadLetters(t.Context(), DeadLetterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, r, ""); len(got) != 3 {
		t.Fatalf("reader lists %d", len(got))
	}
}

func TestDeadLettersManyAndRestart(t *testing.T) {
	t.Parallel()
	const total = listFetch + listFetch/4 // more than one fetch; each Put is an fsync
	dir := t.TempDir()
	func() {
		c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := c.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		}()
		d, err := c.DeadLetters(t.Context(), DeadLetterConfig{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range total {
			if err := d.Put(t.Context(), DeadLetter{ID: fmt.Sprint(i), Account: "222222222222", Body: []byte(fmt.Sprint(i))}); err != nil {
				t.Fatal(err)
			}
		}
	}()
	c := openTest(t, dir)
	d, err := c.OpenDeadLetters(t.Context(), DeadLetterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	got := listAll(t, d, "222222222222")
	if len(got) != total || string(got[total-1].Body) != fmt.Sprint(total-1) {
		t.Fatalf("after restart listed %d", len(got))
	}
}
