package loadgen

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
)

// startNullServer starts `bench --null-server`'s endpoint: it reads each
// request whole and answers PutPartnerEvents and PutEvents with a canned
// success for batch entries, and anything else with {}. Benched against it,
// the SDK client and the HTTP exchange are all that run, so its figures are
// the most this machine could acknowledge with the same clients, whatever
// the server did.
func startNullServer(batch int) (addr string, stop func(), err error) {
	var b bytes.Buffer
	b.WriteString(`{"FailedEntryCount":0,"Entries":[`)
	for i := range batch {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"EventId":"6f0bd3a4-8c1e-4f5a-9b2d-3e4f5a6b7c8d"}`)
	}
	b.WriteString(`]}`)
	put := b.Bytes()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.HasSuffix(target, ".PutPartnerEvents"), strings.HasSuffix(target, ".PutEvents"):
			_, _ = w.Write(put)
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() { _ = srv.Close() }, nil
}
