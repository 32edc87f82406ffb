package apimodel

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// modelPath is where go:generate reads the API model from: ../shared/aws
// relative to the repository root.
const modelPath = "../../../shared/aws/events-2015-10-07.service-2.json"

// awserrDir is package awserr, where the generator writes the exception names.
const awserrDir = "../awserr"

// TestGeneratedUpToDate regenerates package apimodel and awserr's exception
// names into temporary directories and fails if any zz_generated_*.go file
// differs from what is committed, or if one is committed that the generator
// no longer writes. When the model is not checked out beside the repository
// it fails if the environment variable CI is set, and is skipped, saying so,
// otherwise.
func TestGeneratedUpToDate(t *testing.T) {
	if _, err := os.Stat(modelPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("API model not found at %s (%v): CI must check the generated code", modelPath, err)
		}
		t.Skipf("API model not found at %s (%v): cannot check the generated code", modelPath, err)
	}
	if testing.Short() {
		t.Skip("-short: skipping go run ./gen")
	}
	out, errOut := t.TempDir(), t.TempDir()
	cmd := exec.Command("go", "run", "./gen", "-model", modelPath, "-out", out, "-awserr", errOut)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	compareGenerated(t, out, ".")
	compareGenerated(t, errOut, awserrDir)
}

// compareGenerated fails unless the zz_generated_*.go files of dir are those
// of fresh, byte for byte.
func compareGenerated(t *testing.T, fresh, dir string) {
	t.Helper()
	want, err := filepath.Glob(filepath.Join(fresh, "zz_generated_*.go"))
	if err != nil || len(want) == 0 {
		t.Fatalf("generator wrote no files for %s: %v", dir, err)
	}
	committed, err := filepath.Glob(filepath.Join(dir, "zz_generated_*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) != len(want) {
		t.Errorf("%s: committed %d generated files, generator writes %d: run go generate ./internal/apimodel", dir, len(committed), len(want))
	}
	for _, f := range want {
		name := filepath.Join(dir, filepath.Base(f))
		w, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s: %v: run go generate ./internal/apimodel", name, err)
			continue
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s is stale: run go generate ./internal/apimodel", name)
		}
	}
}
