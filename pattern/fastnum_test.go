package pattern

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestApproxNumber checks approxNumber's error bound against strconv.
func TestApproxNumber(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		f := (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(40)-20))
		var s string
		switch i % 4 {
		case 0:
			s = strconv.FormatFloat(f, 'f', -1, 64)
		case 1:
			s = strconv.FormatFloat(f, 'e', r.IntN(20), 64)
		case 2:
			s = strconv.FormatFloat(f, 'f', r.IntN(25), 64)
		default:
			s = strconv.Itoa(r.IntN(1 << 40))
		}
		exact, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := approxNumber([]byte(s))
		if !ok {
			continue
		}
		a, b := numKey(got), numKey(exact)
		if a > b+approxSlack || b > a+approxSlack {
			t.Fatalf("%s: approx %v, exact %v", s, got, exact)
		}
	}
}
