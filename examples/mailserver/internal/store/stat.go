package store

import "syscall"

type syscallStat = syscall.Stat_t

// statPath is stat(2) without the allocations of os.Stat.
func statPath(path string, st *syscall.Stat_t) error {
	for {
		err := syscall.Stat(path, st)
		if err != syscall.EINTR {
			return err
		}
	}
}
