package pattern

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Benchmarks on two kinds of deterministic events: CityLots-shaped GeoJSON
// features (about 900 bytes, the data set event-ruler and quamina publish
// numbers for) and EventBridge-shaped events. Every rule set shares its
// fields, the case where matching cost must not follow the rule count.

var benchStreets = []string{"MASON", "HARRISON", "MISSION", "VALENCIA", "GEARY", "MARKET", "FOLSOM", "HOWARD",
	"BRYANT", "POST", "SUTTER", "PINE", "BUSH", "CALIFORNIA", "JACKSON", "WASHINGTON", "CLAY", "SACRAMENTO",
	"OCTAVIA", "GOUGH", "FRANKLIN", "VAN NESS", "POLK", "LARKIN", "HYDE", "LEAVENWORTH", "JONES", "TAYLOR",
	"POWELL", "STOCKTON", "GRANT", "KEARNY", "MONTGOMERY", "SANSOME", "BATTERY", "FRONT", "DAVIS", "DRUMM"}

// street returns the i-th street name of an unbounded deterministic family.
func street(i int) string {
	s := benchStreets[i%len(benchStreets)]
	if n := i / len(benchStreets); n > 0 {
		s += " " + strconv.Itoa(n)
	}
	return s
}

func cityLot(r *rand.Rand, i int) []byte {
	var b strings.Builder
	blk := r.IntN(9000) + 1
	lot := r.IntN(900) + 1
	fmt.Fprintf(&b, `{"type":"Feature","properties":{"MAPBLKLOT":"%04d%03d","BLKLOT":"%04d%03d","BLOCK_NUM":"%04d","LOT_NUM":"%03d",`, blk, lot, blk, lot, blk, lot)
	fmt.Fprintf(&b, `"FROM_ST":"%d","TO_ST":"%d","STREET":"%s","ODD_EVEN":"%s"},`, r.IntN(3000), r.IntN(3000), street(r.IntN(200)), []string{"E", "O"}[i%2])
	b.WriteString(`"geometry":{"type":"Polygon","coordinates":[[`)
	x, y := -122.5+r.Float64()*0.15, 37.7+r.Float64()*0.1
	for k := 0; k < 11; k++ {
		if k > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `[%.15f,%.15f,0.0]`, x+float64(k)*1e-5, y+float64(k%3)*1e-5)
	}
	b.WriteString(`]]}}`)
	return []byte(b.String())
}

func ebEvent(r *rand.Rand, i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf37034677%02d","detail-type":"EC2 Instance State-change Notification",`, i%100)
	fmt.Fprintf(&b, `"source":"aws.ec2","account":"111122223333","time":"2026-11-22T13:56:%02dZ","region":"us-east-1",`, i%60)
	fmt.Fprintf(&b, `"resources":["arn:aws:ec2:us-east-1:111122223333:instance/i-%08x"],`, r.Uint32())
	fmt.Fprintf(&b, `"detail":{"instance-id":"i-%08x","state":"state-%d","count":%d,"sourceIPAddress":"10.%d.%d.%d",`, r.Uint32(), r.IntN(20000), r.IntN(1000), r.IntN(256), r.IntN(256), r.IntN(256))
	k1, k2 := r.IntN(2000), r.IntN(2000)
	fmt.Fprintf(&b, `"tags":[{"key":"k%d","value":"v%d"},{"key":"k%d","value":"v%d"},{"key":"env","value":"prod"}]}}`, k1, (k1*7)%2000, k2, (k1*7+1)%2000)
	return []byte(b.String())
}

// A benchSet makes the i-th rule of a set and says which events it runs on.
type benchSet struct {
	name string
	eb   bool // EventBridge-shaped events, else CityLots
	rule func(i int) string
}

var benchSets = []benchSet{
	{"EXACT", false, func(i int) string { return fmt.Sprintf(`{"properties":{"STREET":[%q]}}`, street(i)) }},
	{"PREFIX", false, func(i int) string {
		return fmt.Sprintf(`{"properties":{"MAPBLKLOT":[{"prefix":"%04d"}]}}`, i%9000+1)
	}},
	{"SUFFIX", false, func(i int) string {
		s := street(i)
		return fmt.Sprintf(`{"properties":{"STREET":[{"suffix":%q}]}}`, s[len(s)-3:])
	}},
	{"EQUALS-IGNORE-CASE", false, func(i int) string {
		return fmt.Sprintf(`{"properties":{"STREET":[{"equals-ignore-case":%q}]}}`, strings.ToLower(street(i)))
	}},
	{"WILDCARD", false, func(i int) string {
		s := street(i)
		return fmt.Sprintf(`{"properties":{"STREET":[{"wildcard":%q}]}}`, s[:2]+"*"+s[len(s)-2:])
	}},
	{"ANYTHING-BUT", false, func(i int) string {
		return fmt.Sprintf(`{"properties":{"STREET":[{"anything-but":[%q,%q]}]}}`, street(i), street(i+7))
	}},
	{"NUMERIC", false, func(i int) string {
		lo := -122.5 + float64(i%1000)*0.00015
		return fmt.Sprintf(`{"geometry":{"type":["Polygon"],"coordinates":[{"numeric":[">",%g,"<=",%g]}]}}`, lo, lo+0.0001)
	}},
	{"CIDR", true, func(i int) string {
		return fmt.Sprintf(`{"detail":{"sourceIPAddress":[{"cidr":"10.%d.%d.0/24"}]}}`, i%256, (i/256)%256)
	}},
	{"COMPLEX-ARRAYS", true, func(i int) string {
		return fmt.Sprintf(`{"detail":{"tags":{"key":["k%d"],"value":["v%d"]}}}`, i, (i*7)%2000)
	}},
	{"COMBO", false, func(i int) string {
		switch i % 5 {
		case 0:
			return fmt.Sprintf(`{"properties":{"STREET":[%q],"ODD_EVEN":["E"]},"geometry":{"type":["Polygon"]}}`, street(i))
		case 1:
			return fmt.Sprintf(`{"properties":{"STREET":[{"prefix":%q}],"FROM_ST":[{"anything-but":"0"}]}}`, street(i)[:4])
		case 2:
			return fmt.Sprintf(`{"properties":{"ODD_EVEN":["O"],"BLOCK_NUM":[{"suffix":"%d"}]}}`, i%10)
		case 3:
			return fmt.Sprintf(`{"properties":{"STREET":[{"equals-ignore-case":%q}]},"type":["Feature"]}`, strings.ToLower(street(i)))
		}
		return fmt.Sprintf(`{"properties":{"MAPBLKLOT":[{"wildcard":"%d*"}]},"geometry":{"coordinates":[{"numeric":["<",-122.45]}]}}`, i%10)
	}},
	{"SHARED", true, func(i int) string {
		return fmt.Sprintf(`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["state-%d"]}}`, i)
	}},
}

var benchCounts = []int{5, 25, 100, 1000, 10000, 100000}

func benchEvents(eb bool) [][]byte {
	r := rand.New(rand.NewPCG(7, 11))
	evs := make([][]byte, 1024)
	for i := range evs {
		if eb {
			evs[i] = ebEvent(r, i)
		} else {
			evs[i] = cityLot(r, i)
		}
	}
	return evs
}

func buildMatcher(tb testing.TB, set benchSet, n int) *Matcher {
	tb.Helper()
	m := NewMatcher()
	for i := 0; i < n; i++ {
		p, err := Compile(set.rule(i))
		if err != nil {
			tb.Fatal(err)
		}
		if err := m.Add("r"+strconv.Itoa(i), p); err != nil {
			tb.Fatal(err)
		}
	}
	return m
}

// BenchmarkMatch reports events/s per rule set and rule count; run it with
// -cpu 1 to compare with single-core event-ruler figures.
func BenchmarkMatch(b *testing.B) {
	for _, set := range benchSets {
		evs := benchEvents(set.eb)
		for _, n := range benchCounts {
			b.Run(fmt.Sprintf("%s/rules=%d", set.name, n), func(b *testing.B) {
				if set.name == "ANYTHING-BUT" && n == 100000 {
					b.Skip("every event matches every rule: the cost is writing 100k names per event")
				}
				m := buildMatcher(b, set, n)
				dst := make([]string, 0, 1<<16)
				matched := 0
				b.ReportAllocs()
				cpu0 := cpuTime()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					var err error
					dst, err = m.Match(evs[i&1023], dst[:0])
					if err != nil {
						b.Fatal(err)
					}
					matched += len(dst)
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
				b.ReportMetric(float64(matched)/float64(b.N), "matches/event")
			})
		}
	}
}

// BenchmarkAdd measures adding 10k patterns that share their fields.
func BenchmarkAdd(b *testing.B) {
	pats := make([]*Pattern, 10000)
	for i := range pats {
		p, err := Compile(benchSets[len(benchSets)-1].rule(i))
		if err != nil {
			b.Fatal(err)
		}
		pats[i] = p
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := NewMatcher()
		for j, p := range pats {
			if err := m.Add("r"+strconv.Itoa(j), p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRemove removes 10,000 shared-field patterns one at a time from a
// Matcher holding them (the Matcher compiles each pattern's text again to
// find what to take out).
func BenchmarkRemove(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := buildMatcher(b, benchSets[len(benchSets)-1], 10000)
		b.StartTimer()
		for j := 0; j < 10000; j++ {
			m.Remove("r" + strconv.Itoa(j))
		}
		if m.Len() != 0 {
			b.Fatal("rules left")
		}
	}
}

// TestMatchDoesNotAllocate checks the zero-allocation claim on each set.
func TestMatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); run without -race")
	}
	for _, set := range benchSets {
		evs := benchEvents(set.eb)
		m := buildMatcher(t, set, 100)
		dst := make([]string, 0, 1024)
		for _, ev := range evs { // warm the pool and scratch buffers
			dst, _ = m.Match(ev, dst[:0])
		}
		i := 0
		allocs := testing.AllocsPerRun(500, func() {
			dst, _ = m.Match(evs[i&1023], dst[:0])
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: %.2f allocations per Match", set.name, allocs)
		}
	}
}

// cpuTime is the CPU time the process has used. On a busy machine it gives
// a fairer single-core rate than the wall clock (the benchmarks run with
// -cpu 1, so the process's CPU time is the matcher's, plus its GC).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
