package pattern

// pow10tab holds the powers of ten a float64 represents exactly.
var pow10tab = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// approxNumber reads a valid JSON number with a few float64 operations. The
// result is within 4 units in the last place of the exact value; ok is false
// when the number is outside what that bound covers (exponent beyond ±22 or
// a zero mantissa with digits dropped).
func approxNumber(b []byte) (float64, bool) {
	i := 0
	neg := b[0] == '-'
	if neg {
		i++
	}
	var mant uint64
	digits, exp := 0, 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		if digits < 19 {
			mant = mant*10 + uint64(b[i]-'0')
			if mant != 0 {
				digits++
			}
		} else {
			exp++
		}
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i]); i++ {
			if digits < 19 {
				mant = mant*10 + uint64(b[i]-'0')
				if mant != 0 {
					digits++
				}
				exp--
			}
		}
	}
	if i < len(b) { // exponent
		i++
		eneg := false
		if b[i] == '+' || b[i] == '-' {
			eneg = b[i] == '-'
			i++
		}
		e := 0
		for ; i < len(b); i++ {
			if e = e*10 + int(b[i]-'0'); e > 1000 {
				return 0, false
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if exp < -22 || exp > 22 {
		return 0, false
	}
	f := float64(mant)
	if exp < 0 {
		f /= pow10tab[-exp]
	} else {
		f *= pow10tab[exp]
	}
	if neg {
		f = -f
	}
	return f, true
}

// approxSlack is how far, in numKey units (ulps), approxNumber may be off.
const approxSlack = 4

// decideRanges appends the children of the listed ranges holding the
// number whose approximate key is k, and reports false, appending nothing,
// when k is too close to an end of some range to decide.
func decideRanges(list []numRange, k uint64, out []int32) ([]int32, bool) {
	lo, hi := k-approxSlack, k+approxSlack
	if k < approxSlack || k > ^uint64(0)-approxSlack {
		return out, false
	}
	n := len(out)
	for _, r := range list {
		switch {
		case hi < r.lo || lo > r.hi:
		case r.lo <= lo && hi <= r.hi:
			out = append(out, r.child)
		default:
			return out[:n], false
		}
	}
	return out, true
}
