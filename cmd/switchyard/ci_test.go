package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAllocationTestsRunWithoutRace guards the README's test command: its
// second run repeats the allocation tests without -race (under which
// sync.Pool drops items and allocation counts mean nothing) in package
// pattern only, so that it links no other test binary. An allocation test
// elsewhere would then run only under -race; this test fails until the
// command (README and .ci/run) names its package too.
func TestAllocationTestsRunWithoutRace(t *testing.T) {
	parallel(t)
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == filepath.Join(root, "pattern") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "testing."+"AllocsPerRun") {
			t.Errorf("%s measures allocations: add its package to the allocation run of README's test command and .ci/run", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDifferentialRunsWithoutRace guards the other half of that second run:
// pattern's TestDifferential checks only a tenth of its pairs under -race,
// so the README's command and .ci/run must run it again without -race.
func TestDifferentialRunsWithoutRace(t *testing.T) {
	parallel(t)
	const want = "go test -race -trimpath -count=1 ./... && go test -trimpath -count=1 -run 'Alloc|Differential' ./pattern"
	for _, name := range []string{"README.md", filepath.Join(".ci", "run")} {
		src, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), want) {
			t.Errorf("%s does not run %q", name, want)
		}
	}
}
