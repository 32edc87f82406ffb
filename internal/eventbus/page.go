package eventbus

import (
	"encoding/base64"
	"sort"
	"strings"
)

// DefaultPageSize is the number of items a List call returns when the caller
// gives no Limit.
const DefaultPageSize = 100

// A Page is one page of a sorted listing.
type Page struct {
	// Start and End bound the page within the listing (items[Start:End]).
	Start, End int
	// NextToken is the token for the following page, "" on the last one.
	NextToken string
}

// Paginate returns the page of keys (sorted ascending, unique) that follows
// token, holding at most limit items (DefaultPageSize when limit <= 0).
// A token is opaque to callers: it encodes the last key of the previous page
// and the listing it belongs to, so a page stays correct when items are added
// or removed between calls. ok is false for a token that is not one of ours.
func Paginate(keys []string, listing, token string, limit int) (p Page, ok bool) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
		if err != nil {
			return Page{}, false
		}
		// The key follows the last NUL: listings may hold NULs between
		// their filters, keys (resource names) never do.
		i := strings.LastIndexByte(string(raw), 0)
		if i < 0 || string(raw[:i]) != listing {
			return Page{}, false
		}
		after := string(raw[i+1:])
		start = sort.SearchStrings(keys, after)
		if start < len(keys) && keys[start] == after {
			start++
		}
	}
	end := min(start+limit, len(keys))
	p = Page{Start: start, End: end}
	if end < len(keys) {
		p.NextToken = base64.RawURLEncoding.EncodeToString([]byte(listing + "\x00" + keys[end-1]))
	}
	return p, true
}
