//go:build !unix

package node

// diskSpace is not measured on this platform.
func diskSpace(string) (free, capacity uint64, ok bool) { return 0, 0, false }
