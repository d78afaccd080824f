// Package durable writes files so that a crash never leaves one
// half-written: the content goes to a temporary file, is fsynced, and only
// then gets its final name, whose directory is fsynced in turn.
//
// What every function here guarantees, for a crash (power loss, kill -9) at
// any moment, on a POSIX file system that honours fsync:
//
//   - the final path holds either what it held before (or nothing) or the
//     complete new content, never a prefix of it;
//   - once a function has returned nil, the content and the directory entry
//     are on stable storage and survive the crash;
//   - a crash may leave a temporary file behind (named TempPrefix + random
//     in the destination directory, or the tmp path given to WriteVia);
//     readers of the directory skip such names and may remove them. A
//     function that returns an error has removed its temporary file.
//
// The write callback gets the temporary *os.File as an io.Writer, unbuffered;
// callers that write in small pieces wrap it in a bufio.Writer and flush.
package durable

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file WriteFile and
// WriteNew create; directory readers skip names with it.
const TempPrefix = ".tmp-"

// fsync is (*os.File).Sync; tests replace it to see what is synced, in
// which order, and to make it fail.
var fsync = (*os.File).Sync

// WriteFile writes path with the given mode (applied with chmod, so the
// umask does not narrow it), filled by write, replacing any file already
// at path. Steps: temporary file in path's directory, write, fsync, close,
// rename over path, fsync of the directory. An error from write, or from
// any step before the rename, leaves path untouched and no temporary file.
// An error from the final directory fsync means path has the new content
// but it may not survive a crash.
func WriteFile(path string, mode fs.FileMode, write func(io.Writer) error) error {
	return publish(path, mode, write, false)
}

// WriteNew is WriteFile that never replaces an existing file: the
// temporary file is hard-linked to path (link(2) fails when path exists,
// atomically, also against another process doing the same), then
// unlinked, then the directory is fsynced. When path exists it returns an
// error matching fs.ErrExist and path keeps its content. The file system
// must support hard links.
func WriteNew(path string, mode fs.FileMode, write func(io.Writer) error) error {
	return publish(path, mode, write, true)
}

func publish(path string, mode fs.FileMode, write func(io.Writer) error, noReplace bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := fill(f, mode, write); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if noReplace {
		err = os.Link(tmp, path)
		// The temporary name goes either way; its removal is made durable
		// by the same directory fsync as the link.
		if rerr := os.Remove(tmp); err == nil {
			err = rerr
		}
	} else if err = os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
	}
	if err != nil {
		return err
	}
	return SyncDir(dir)
}

// WriteVia writes the file at tmp (created exclusively: an existing tmp is
// an error matching fs.ErrExist), with mode and the content from write,
// fsyncs it, renames it over path and fsyncs path's directory. It serves a
// spool whose temporary files live in their own directory (swept at
// start-up); tmp and path must be on one file system. Only path's
// directory is fsynced: after a crash tmp may still be there. On an error
// before the rename tmp is removed and path is untouched.
func WriteVia(tmp, path string, mode fs.FileMode, write func(io.Writer) error) error {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := fill(f, mode, write); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// fill sets f's mode, writes it, fsyncs and closes it; f is closed on
// every path.
func fill(f *os.File, mode fs.FileMode, write func(io.Writer) error) error {
	err := f.Chmod(mode)
	if err == nil {
		err = write(f)
	}
	if err == nil {
		err = fsync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir fsyncs the directory dir, making the renames, links and unlinks
// done in it so far durable. It does not sync the files themselves nor
// dir's own entry in its parent (a directory just created needs SyncDir of
// its parent too).
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = fsync(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Bytes is a write callback for WriteFile, WriteNew and WriteVia that
// writes b; b must not change until the call returns.
func Bytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}
