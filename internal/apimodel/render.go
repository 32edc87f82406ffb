package apimodel

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// AWS echoes a failing value in a validation message as its Java toString:
// strings bare, lists as "[a, b]", maps as "{k=v, k2=v2}" in java.util.HashMap
// iteration order, structures as "Name(member=value, ...)" in model order,
// absent values as "null". These helpers reproduce that; the generated
// writeJava methods call them for each member.

// redacted stands for a sensitive member inside a rendered structure.
const redacted = "*** Sensitive Data Redacted ***"

func writeJavaString(b *strings.Builder, s *string) {
	if s == nil {
		b.WriteString("null")
		return
	}
	b.WriteString(*s)
}

func writeJavaRedacted(b *strings.Builder, present bool) {
	if !present {
		b.WriteString("null")
		return
	}
	b.WriteString(redacted)
}

func writeJavaInt(b *strings.Builder, n *int64) {
	if n == nil {
		b.WriteString("null")
		return
	}
	b.WriteString(strconv.FormatInt(*n, 10))
}

func writeJavaBool(b *strings.Builder, v *bool) {
	if v == nil {
		b.WriteString("null")
		return
	}
	b.WriteString(strconv.FormatBool(*v))
}

// writeJavaTime writes a timestamp as java.util.Date.toString does in UTC.
func writeJavaTime(b *strings.Builder, t *Time) {
	if t == nil {
		b.WriteString("null")
		return
	}
	b.WriteString(t.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"))
}

func writeJavaStrings(b *strings.Builder, l []string) {
	if l == nil {
		b.WriteString("null")
		return
	}
	b.WriteByte('[')
	for i, s := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	b.WriteByte(']')
}

func writeJavaStructs[T any, P interface {
	*T
	writeJava(*strings.Builder)
}](b *strings.Builder, l []T) {
	if l == nil {
		b.WriteString("null")
		return
	}
	b.WriteByte('[')
	for i := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		P(&l[i]).writeJava(b)
	}
	b.WriteByte(']')
}

// writeJavaMap writes m as java.util.HashMap.toString, whose order follows
// the keys' bucket indexes; see hashMapOrder.
func writeJavaMap(b *strings.Builder, m map[string]string) {
	if m == nil {
		b.WriteString("null")
		return
	}
	b.WriteByte('{')
	for i, k := range hashMapOrder(m) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(m[k])
	}
	b.WriteByte('}')
}

// hashMapOrder returns the keys of m in the order a java.util.HashMap built
// from them iterates: by bucket index (the spread String.hashCode masked by a
// table size of 16 doubled while size > 0.75 × table), ties by key. Java
// breaks ties by insertion order, which a Go map does not keep, so keys that
// share a bucket may be listed in a different order than AWS would.
func hashMapOrder(m map[string]string) []string {
	table := 16
	for len(m) > table*3/4 {
		table *= 2
	}
	type entry struct {
		key    string
		bucket int
	}
	es := make([]entry, 0, len(m))
	for k := range m {
		h := javaHash(k)
		h ^= h >> 16
		es = append(es, entry{k, int(h & uint32(table-1))})
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.bucket != b.bucket {
			return a.bucket - b.bucket
		}
		return strings.Compare(a.key, b.key)
	})
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	return keys
}

// javaHash is java.lang.String.hashCode: s[0]*31^(n-1) + ... over UTF-16
// code units, in 32-bit arithmetic.
func javaHash(s string) uint32 {
	var h uint32
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			h = 31*h + uint32(r1)
			h = 31*h + uint32(r2)
			continue
		}
		h = 31*h + uint32(r)
	}
	return h
}
