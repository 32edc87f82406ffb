package eventbus

// A Tag is a key-value pair attached to a resource.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// DefaultMaxTags is AWS's limit of tags per resource.
const DefaultMaxTags = 50

// MergeTags returns tags with every entry of add set (replacing the value of
// an existing key, appending new keys in the order given).
func MergeTags(tags, add []Tag) []Tag {
	out := append([]Tag(nil), tags...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value = t.Value
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// RemoveTags returns tags without the given keys; absent keys are ignored.
func RemoveTags(tags []Tag, keys []string) []Tag {
	out := make([]Tag, 0, len(tags))
	for _, t := range tags {
		drop := false
		for _, k := range keys {
			if t.Key == k {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}
