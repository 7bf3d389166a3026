//go:build unix

package node

import "syscall"

// diskSpace returns the free bytes (what an unprivileged process may use)
// and the capacity of the file system that holds dir.
func diskSpace(dir string) (free, capacity uint64, ok bool) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), uint64(st.Blocks) * uint64(st.Bsize), true
}
