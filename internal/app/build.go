package app

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// buildDate is the date the binary was built, when the build sets it:
//
//	go build -ldflags "-X github.com/chuxin-chain/chuxin/internal/app.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" ./cmd/chuxin
var buildDate string

// BuildInfo is what this binary was built from: chuxin's version, the
// commit and its time (which go build records from git), the build date
// when the build set one, and the Go version.
type BuildInfo struct {
	Version    string `json:"version"`
	Commit     string `json:"commit"`               // "unknown" when built outside git
	Modified   bool   `json:"modified,omitempty"`   // the tree had changes not in the commit
	CommitTime string `json:"commitTime,omitempty"` // RFC 3339, UTC
	BuildDate  string `json:"buildDate,omitempty"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
}

// Build returns this binary's BuildInfo.
func Build() BuildInfo {
	b := BuildInfo{Version: Version, Commit: "unknown", BuildDate: buildDate, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				b.CommitTime = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	return b
}

// ShortCommit is the commit's first 12 hex digits, with "+dirty" when the
// tree had changes.
func (b BuildInfo) ShortCommit() string {
	c := b.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	if b.Modified {
		c += "+dirty"
	}
	return c
}

// String is the build in one line per fact, as chuxin version prints it.
func (b BuildInfo) String() string {
	s := fmt.Sprintf("chuxin %s\ncommit %s\n", b.Version, b.ShortCommit())
	if b.CommitTime != "" {
		s += "commit time " + b.CommitTime + "\n"
	}
	if b.BuildDate != "" {
		s += "built " + b.BuildDate + "\n"
	}
	return s + fmt.Sprintf("go %s %s\n", b.Go, b.Platform)
}
