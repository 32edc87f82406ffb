package delivery

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

func testBatch(n int) Batch {
	b := Batch{NotBefore: time.Date(2026, 11, 22, 12, 0, 3, 7, time.UTC)}
	for i := range n {
		j := testJob()
		j.Event.ID = fmt.Sprintf("e-%d", i)
		j.Attempts = i % 3
		b.Jobs = append(b.Jobs, j)
	}
	return b
}

// padded returns b with every envelope padded to about size bytes.
func padded(b Batch, size int) Batch {
	for i := range b.Jobs {
		b.Jobs[i].Event.Envelope = []byte(`{"id":"e","detail":{"pad":"` + strings.Repeat("x", size) + `"}}`)
	}
	return b
}

// mixedRoutes returns a batch whose jobs go to several routes: two targets
// of one rule, a target whose settings changed between two events (same
// rule and target id), and dead-letter forwards with their own attributes.
func mixedRoutes() Batch {
	b := testBatch(8)
	for i := range b.Jobs {
		j := &b.Jobs[i]
		switch i % 4 {
		case 1:
			j.Target.ID, j.Target.Arn = "t2", "arn:aws:events:us-east-1:222222222222:event-bus/t2"
		case 2:
			j.Target.InputPath = "$.detail.changed"
			j.Target.HTTPParameters = &eventbus.HTTPParameters{HeaderParameters: map[string]string{"k": fmt.Sprint(i)}}
		case 3:
			j.DeadLetter = map[string]string{AttrErrorCode: CodeNoResource, AttrErrorMessage: fmt.Sprint("failure ", i)}
		}
	}
	return b
}

func TestBatchRoundTripAndSplit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		batch    Batch
		maxBytes int
		parts    int
	}{
		{"one job", testBatch(1), 1 << 20, 1},
		{"at once", Batch{Jobs: testBatch(3).Jobs}, 1 << 20, 1},
		{"fits", testBatch(50), 1 << 20, 1},
		{"split", padded(testBatch(50), 200), 4 << 10, 50 * 200 / (4 << 10)},
		{"job over the limit travels alone", testBatch(3), 10, 3},
		{"several routes", mixedRoutes(), 1 << 20, 1},
		{"several routes, split", padded(mixedRoutes(), 500), 2 << 10, 8 * 500 / (2 << 10)},
		{"no enqueue time", Batch{Jobs: []Job{{Event: eventbus.Event{ID: "x", Envelope: []byte("{}"), IngestedAt: time.Unix(5, 0).UTC()}}}}, 1 << 20, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := tc.batch.Encode(tc.maxBytes)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) < tc.parts {
				t.Fatalf("%d parts, want at least %d", len(parts), tc.parts)
			}
			var jobs []Job
			for i, p := range parts {
				if len(parts) > 1 && len(p.Data) > tc.maxBytes && !isAlone(p) {
					t.Errorf("part %d is %d bytes, over %d", i, len(p.Data), tc.maxBytes)
				}
				var got Batch
				if err := got.UnmarshalBinary(p.Data); err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
				if !got.NotBefore.Equal(tc.batch.NotBefore) {
					t.Errorf("part %d: NotBefore %v, want %v", i, got.NotBefore, tc.batch.NotBefore)
				}
				if p.ID != BatchID(got.Jobs) {
					t.Errorf("part %d: id %s is not its jobs' BatchID", i, p.ID)
				}
				jobs = append(jobs, got.Jobs...)
			}
			if !reflect.DeepEqual(jobs, tc.batch.Jobs) {
				t.Errorf("jobs differ after the round trip:\n got  %+v\n want %+v", jobs, tc.batch.Jobs)
			}
		})
	}
}

// isAlone reports whether p holds a single job (allowed over the limit).
func isAlone(p EncodedBatch) bool {
	var b Batch
	return b.UnmarshalBinary(p.Data) == nil && len(b.Jobs) == 1
}

// TestBatchDecodesEarlierEncoding: batches queued by an earlier version
// are still delivered after an upgrade. testdata/batch-v1.bin is
// mixedRoutes() as Batch.Encode wrote it at commit 4de4f56 (a JSON header
// per job).
func TestBatchDecodesEarlierEncoding(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "batch-v1.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != batchEncodingV1 {
		t.Fatalf("testdata/batch-v1.bin has version %d", data[0])
	}
	want := mixedRoutes()
	var got Batch
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !got.NotBefore.Equal(want.NotBefore) || !reflect.DeepEqual(got.Jobs, want.Jobs) {
		t.Errorf("decoded\n %+v\nwant\n %+v", got, want)
	}
}

// TestBatchSharesRoutes: a route is encoded once per batch, so a batch of
// jobs to one target is little more than its events.
func TestBatchSharesRoutes(t *testing.T) {
	b := testBatch(50)
	parts, err := b.Encode(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	for i := range b.Jobs {
		events += b.Jobs[i].Event.BinarySize()
	}
	one, err := b.Jobs[0].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	route := len(one) - b.Jobs[0].Event.BinarySize()
	if overhead := len(parts[0].Data) - events; overhead > route+50*batchJobHeaderMax {
		t.Errorf("batch of 50 jobs to one route is %d bytes beyond its events; one route is %d", overhead, route)
	}
}

func TestBatchID(t *testing.T) {
	b := testBatch(3)
	id := BatchID(b.Jobs)
	again := testBatch(3)
	again.NotBefore = again.NotBefore.Add(time.Hour)
	for i := range again.Jobs {
		again.Jobs[i].EnqueuedAt = again.Jobs[i].EnqueuedAt.Add(time.Minute) // routed again later
	}
	if BatchID(again.Jobs) != id {
		t.Error("the same jobs at the same attempts got another id")
	}
	retried := testBatch(3)
	retried.Jobs[1].Attempts++
	fewer := testBatch(2)
	reordered := testBatch(3)
	reordered.Jobs[0], reordered.Jobs[1] = reordered.Jobs[1], reordered.Jobs[0]
	for name, o := range map[string][]Job{"next attempt": retried.Jobs, "fewer jobs": fewer.Jobs, "other order": reordered.Jobs} {
		if BatchID(o) == id {
			t.Errorf("%s has the same id %s", name, id)
		}
	}
}

func TestBatchUnmarshalRejectsGarbage(t *testing.T) {
	parts, err := func() ([]EncodedBatch, error) { b := testBatch(2); return b.Encode(1 << 20) }()
	if err != nil {
		t.Fatal(err)
	}
	good := parts[0].Data
	for name, data := range map[string][]byte{
		"empty":          nil,
		"a job":          func() []byte { j := testJob(); b, _ := j.MarshalBinary(); return b }(),
		"version":        append([]byte{9}, good[1:]...),
		"no jobs":        {batchEncodingV1, 0, 0},
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte(nil), good...), 0),
		"huge count":     {batchEncodingV1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge job":       {batchEncodingV1, 0, 1, 0xff, 0xff, 0x03, 1},
	} {
		var b Batch
		if err := b.UnmarshalBinary(data); err == nil {
			t.Errorf("%s: decoded %d jobs", name, len(b.Jobs))
		}
	}
}

// FuzzBatchUnmarshal: queue messages are decoded without trusting them; a
// batch that decodes must encode back to an equal batch.
func FuzzBatchUnmarshal(f *testing.F) {
	for _, n := range []int{1, 3} {
		b := testBatch(n)
		parts, err := b.Encode(1 << 20)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(parts[0].Data)
	}
	mixed := mixedRoutes()
	parts, err := mixed.Encode(1 << 20)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(parts[0].Data)
	f.Add([]byte{batchEncodingV1, 0, 1, 2, 1, 0})
	f.Add([]byte{batchEncodingV2, 0, 1, 2, '{', '}', 1, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Batch
		if b.UnmarshalBinary(data) != nil {
			return
		}
		parts, err := b.Encode(1 << 30)
		if err != nil {
			t.Fatalf("decoded batch does not encode: %v", err)
		}
		var again Batch
		if err := again.UnmarshalBinary(parts[0].Data); err != nil {
			t.Fatalf("re-encoded batch does not decode: %v", err)
		}
		if len(again.Jobs) != len(b.Jobs) || !again.NotBefore.Equal(b.NotBefore) || BatchID(again.Jobs) != BatchID(b.Jobs) {
			t.Fatalf("round trip changed the batch: %d jobs %v, want %d jobs %v", len(again.Jobs), again.NotBefore, len(b.Jobs), b.NotBefore)
		}
	})
}
