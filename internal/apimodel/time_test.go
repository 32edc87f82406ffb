package apimodel

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimeJSON(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		out  string
	}{
		{"1700000000", time.Unix(1700000000, 0), "1700000000"},
		{"1700000000.5", time.Unix(1700000000, 5e8), "1700000000.5"},
		{"1700000000.123456789999", time.Unix(1700000000, 123456789), "1700000000.123456789"},
		{"1.7e9", time.Unix(1700000000, 0), "1700000000"},
		{"-1.25", time.Unix(-2, 75e7), "-1.25"},
		{"-0.25", time.Unix(-1, 75e7), "-0.25"},
		{"0", time.Unix(0, 0), "0"},
		{`"2026-11-22T13:56:00Z"`, time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC), "1795355760"},
		{`"2026-11-22T14:56:00.5+01:00"`, time.Date(2026, 11, 22, 13, 56, 0, 5e8, time.UTC), "1795355760.5"},
	}
	for _, tt := range tests {
		var got Time
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("Unmarshal(%s) = %v, want %v", tt.in, got.Time, tt.want)
		}
		out, err := json.Marshal(got)
		if err != nil || string(out) != tt.out {
			t.Errorf("Marshal(%v) = %s, %v; want %s", got.Time, out, err, tt.out)
		}
	}
	for _, bad := range []string{`"yesterday"`, "1e400", "true", `""`, "1.2.3", "99999999999999999", "-", "."} {
		var got Time
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, got.Time)
		}
	}
}

func TestTimeInStruct(t *testing.T) {
	in := PutEventsRequestEntry{Time: NewTime(time.Unix(1700000000, 25e7)), Source: new("s")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Time":1700000000.25,"Source":"s"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var out PutEventsRequestEntry
	if err := json.Unmarshal(b, &out); err != nil || !out.Time.Equal(in.Time.Time) {
		t.Errorf("round trip: %v, %v", out.Time, err)
	}
}

func TestHashMapOrder(t *testing.T) {
	// java.util.HashMap with these keys iterates de onde?, Quem foi?, o que?
	// (buckets 5, 10, 14 of 16), as the real service echoes them.
	m := map[string]string{"Quem foi?": "", "o que?": "", "de onde?": ""}
	got := hashMapOrder(m)
	want := []string{"de onde?", "Quem foi?", "o que?"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("hashMapOrder = %q, want %q", got, want)
		}
	}
	if javaHash("hello") != 99162322 {
		t.Errorf(`javaHash("hello") = %d, want 99162322`, javaHash("hello"))
	}
	if javaHash("😀") != 1772899 { // two UTF-16 code units
		t.Errorf(`javaHash("😀") = %d, want 1772899`, javaHash("😀"))
	}
}
