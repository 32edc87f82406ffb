package jetstream

import "syscall"

// statfsSpace is the DiskSpace of the filesystem, as statfs(2) reports it.
func statfsSpace(dir string) (free, size int64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, err
	}
	return int64(st.Bavail) * st.Bsize, int64(st.Blocks) * st.Bsize, nil
}

// defaultDiskSpace measures free space with statfs.
var defaultDiskSpace DiskSpace = statfsSpace
