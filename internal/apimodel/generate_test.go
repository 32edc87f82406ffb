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

// TestGeneratedUpToDate regenerates the package into a temporary directory
// and fails if any zz_generated_*.go file differs from what is committed, or
// if one is committed that the generator no longer writes. It is skipped,
// saying so, only when the model is not checked out beside the repository.
func TestGeneratedUpToDate(t *testing.T) {
	if _, err := os.Stat(modelPath); err != nil {
		t.Skipf("API model not found at %s (%v): cannot check the generated code", modelPath, err)
	}
	if testing.Short() {
		t.Skip("-short: skipping go run ./gen")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./gen", "-model", modelPath, "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	fresh, err := filepath.Glob(filepath.Join(out, "zz_generated_*.go"))
	if err != nil || len(fresh) == 0 {
		t.Fatalf("generator wrote no files: %v", err)
	}
	committed, err := filepath.Glob("zz_generated_*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) != len(fresh) {
		t.Errorf("committed %d generated files, generator writes %d: run go generate", len(committed), len(fresh))
	}
	for _, f := range fresh {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Base(f))
		if err != nil {
			t.Errorf("%s: %v: run go generate", filepath.Base(f), err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./internal/apimodel", filepath.Base(f))
		}
	}
}
