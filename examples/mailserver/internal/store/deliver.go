package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// Deliver stores msg in the inbox of every user, all or nothing: the
// message is written once into the first user's tmp/ (line ends normalized
// to CRLF, so that what POP3 sends is the file byte for byte), fsynced,
// hard-linked (or copied) into the others' tmp/, and only then renamed into
// each new/, each new/ fsynced. When any step fails, nothing is left in any
// new/ and the tmp/ files are removed. Deliver holds no lock: a Maildir
// needs none for delivery.
func (s *Store) Deliver(users []string, msg io.Reader) error {
	users = dedupe(users)
	if len(users) == 0 {
		return errors.New("store: no recipients")
	}
	dirs := make([]string, len(users))
	for i, u := range users {
		d, err := s.userDir(u)
		if err != nil {
			return err
		}
		if err := ensureMaildir(d); err != nil {
			return err
		}
		dirs[i] = d
	}
	key := s.newKey(time.Now())
	tmps := make([]string, 0, len(dirs))
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // after success these no longer exist
		}
	}()
	first := filepath.Join(dirs[0], "tmp", key)
	tmps = append(tmps, first)
	if err := writeMessage(first, msg); err != nil {
		return err
	}
	for _, d := range dirs[1:] {
		t := filepath.Join(d, "tmp", key)
		tmps = append(tmps, t)
		if err := os.Link(first, t); err != nil {
			if err := copyFile(first, t); err != nil {
				return err
			}
		}
	}
	var moved []string
	for i, d := range dirs {
		dst := filepath.Join(d, "new", key)
		if err := rename(tmps[i], dst); err != nil {
			for _, m := range moved {
				os.Remove(m)
			}
			return err
		}
		moved = append(moved, dst)
	}
	for i, d := range dirs {
		if err := durable.SyncDir(filepath.Join(d, "new")); err != nil {
			// Not known to be durable: take it back everywhere.
			for _, m := range moved {
				os.Remove(m)
			}
			return fmt.Errorf("store: fsync %s: %w", users[i], err)
		}
	}
	return nil
}

// rename is os.Rename; tests make it fail.
var rename = os.Rename

func dedupe(users []string) []string {
	out := make([]string, 0, len(users))
	seen := make(map[string]bool, len(users))
	for _, u := range users {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// writeMessage streams msg into a new file at path, CRLF-normalized, and
// fsyncs it.
func writeMessage(path string, msg io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	n := &crlfWriter{w: bw}
	_, err = io.Copy(n, msg)
	if err == nil {
		err = n.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeMessage(dst, in)
}

// crlfWriter turns a lone LF or a lone CR into CRLF; CRLF passes as is.
type crlfWriter struct {
	w  *bufio.Writer
	cr bool // the last octet written was a CR whose LF is pending
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		var err error
		switch {
		case b == '\n':
			if !c.cr {
				err = c.w.WriteByte('\r')
			}
			if err == nil {
				err = c.w.WriteByte('\n')
			}
			c.cr = false
		case c.cr:
			// CR not followed by LF: complete it.
			if err = c.w.WriteByte('\n'); err == nil {
				err = c.w.WriteByte(b)
			}
			c.cr = b == '\r'
		default:
			err = c.w.WriteByte(b)
			c.cr = b == '\r'
		}
		if err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Close completes a trailing lone CR.
func (c *crlfWriter) Close() error {
	if c.cr {
		c.cr = false
		return c.w.WriteByte('\n')
	}
	return nil
}
