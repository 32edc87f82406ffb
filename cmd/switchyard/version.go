package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// buildVersion is what `switchyard version` prints: the module version
// ("(devel)" for a build from a source tree), the VCS revision and commit
// time the toolchain stamped (absent with -buildvcs=false or outside a
// repository), whether the tree had uncommitted changes, and the Go
// version. bi may be nil (no build information): every field is then
// "unknown".
type buildVersion struct {
	Module, Version, Revision, Time, Go string
	Modified                            bool
}

func readBuildVersion(bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Module: "unknown", Version: "unknown", Revision: "unknown", Go: "unknown"}
	if bi == nil {
		return v
	}
	v.Module, v.Version, v.Go = bi.Main.Path, bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is one line: "switchyard MODULE VERSION (revision REV[, modified], TIME) GO".
func (v buildVersion) String() string {
	rev := v.Revision
	if v.Modified {
		rev += ", modified"
	}
	if v.Time != "" {
		rev += ", " + v.Time
	}
	return fmt.Sprintf("switchyard %s %s (revision %s) %s", v.Module, v.Version, rev, v.Go)
}

// printVersion writes the running binary's version line to w.
func printVersion(w io.Writer) error {
	bi, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprintln(w, readBuildVersion(bi))
	return err
}
