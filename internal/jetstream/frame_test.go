package jetstream

import (
	"errors"
	"slices"
	"testing"
)

func encodeFrame(records []Record) []byte {
	buf := appendHeader(nil, len(records))
	for i := range records {
		buf = appendRecord(buf, &records[i])
	}
	return buf
}

func equalRecords(a, b []Record) bool {
	return slices.EqualFunc(a, b, func(x, y Record) bool {
		return x.Account == y.Account && x.Bus == y.Bus && string(x.Data) == string(y.Data)
	})
}

func TestFrameRoundTrip(t *testing.T) {
	t.Parallel()
	tests := map[string][]Record{
		"empty batch":  {},
		"one":          {{Account: "123456789012", Bus: "default", Data: []byte(`{"a":1}`)}},
		"empty fields": {{}, {Data: []byte{}}},
		"mixed": {
			{Account: "1", Bus: "a", Data: []byte("x")},
			{Account: "1", Bus: "a", Data: make([]byte, 300)},
			{Account: "2", Bus: "b/é.*>", Data: nil},
		},
	}
	for name, records := range tests {
		t.Run(name, func(t *testing.T) {
			msg := encodeFrame(records)
			want := 0
			for i := range records {
				want += records[i].encodedSize()
			}
			if hdr := len(appendHeader(nil, len(records))); len(msg) != hdr+want {
				t.Fatalf("encoded %d bytes, sizes say %d", len(msg), hdr+want)
			}
			got, err := decodeFrame(msg)
			if err != nil || !equalRecords(got, records) {
				t.Fatalf("decodeFrame = %+v, %v; want %+v", got, err, records)
			}
		})
	}
}

func TestFrameRejects(t *testing.T) {
	t.Parallel()
	good := encodeFrame([]Record{{Account: "a", Bus: "b", Data: []byte("data")}})
	tests := map[string][]byte{
		"empty":         nil,
		"wrong version": append([]byte{2}, good[1:]...),
		"no count":      {frameVersion},
		"truncated":     good[:len(good)-1],
		"trailing":      append(slices.Clone(good), 0),
		"huge count":    {frameVersion, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge length":   {frameVersion, 1, 0xff, 0xff, 0xff, 0xff, 0x0f},
	}
	for name, msg := range tests {
		if _, err := decodeFrame(msg); !errors.Is(err, errBadFrame) {
			t.Errorf("%s: decodeFrame = %v, want errBadFrame", name, err)
		}
	}
}

// FuzzDecodeFrame checks that decoding arbitrary bytes never panics, and that
// whatever decodes re-encodes to the same bytes.
func FuzzDecodeFrame(f *testing.F) {
	f.Add(encodeFrame([]Record{{Account: "1", Bus: "b", Data: []byte("d")}}))
	f.Add(encodeFrame(nil))
	f.Add([]byte{frameVersion, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		records, err := decodeFrame(msg)
		if err != nil {
			return
		}
		if re := encodeFrame(records); string(re) != string(msg) {
			t.Fatalf("re-encoded %x, want %x", re, msg)
		}
	})
}
