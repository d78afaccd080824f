package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/internal/transcript"
)

// readSize is the most one read takes from a peer, so the largest chunk.
const readSize = 32 << 10

// errTooMuch ends a session that carried more than config.maxBytes.
var errTooMuch = errors.New("session carried more than -max-bytes")

// session relays one client connection to the target and records it.
type session struct {
	cfg    config
	n      int
	client net.Conn

	mu     sync.Mutex // guards everything below, and orders the chunks
	server net.Conn   // nil until dialed
	file   *bufio.Writer
	chunk  []byte // the chunk being written, reused
	total  int64
	cutOff bool
}

func newSession(cfg config, n int, client net.Conn) *session {
	return &session{cfg: cfg, n: n, client: client}
}

// path is the transcript file of the session.
func (s *session) path() string {
	return filepath.Join(s.cfg.outDir, fmt.Sprintf("%s-%d.txn", s.cfg.name, s.n))
}

// relay runs the session to its end and closes both connections and the
// transcript. A peer that resets the connection ends the session without
// error; failing to dial, to write the transcript, or a cut does not.
func (s *session) relay() error {
	defer s.client.Close()
	deadline := time.Now().Add(s.cfg.sessionTimeout)
	s.client.SetDeadline(deadline)

	h := s.cfg.header
	h.Date = time.Now()
	out, err := os.Create(s.path())
	if err != nil {
		return err
	}
	defer out.Close()
	s.mu.Lock()
	s.file = bufio.NewWriterSize(out, readSize)
	s.chunk, _ = transcript.AppendHeader(make([]byte, 0, readSize+32), h) // checked by config.check
	_, err = s.file.Write(s.chunk)
	s.mu.Unlock()
	if err != nil {
		return err
	}

	server, err := net.DialTimeout("tcp", s.cfg.target, time.Until(deadline))
	if err != nil {
		return err
	}
	defer server.Close()
	server.SetDeadline(deadline)
	s.mu.Lock()
	s.server = server
	cutOff := s.cutOff
	s.mu.Unlock()
	if cutOff {
		return errors.New("cut before the target answered")
	}

	errs := make(chan error, 2)
	go func() { errs <- s.pump(server, s.client, transcript.ClientToServer) }()
	go func() { errs <- s.pump(s.client, server, transcript.ServerToClient) }()
	first := <-errs
	if first != nil {
		s.closeConns() // unblocks the other direction
	}
	second := <-errs

	s.mu.Lock()
	flushErr := s.file.Flush()
	cutOff = s.cutOff
	s.mu.Unlock()
	if cutOff {
		return fmt.Errorf("cut while still open (%s)", s.path())
	}
	return errors.Join(first, second, flushErr)
}

// pump copies src to dst, recording each read before forwarding it, so a
// reply the forwarded bytes provoke is always recorded after them. At EOF
// it half-closes dst so the other side sees the end too.
func (s *session) pump(dst, src net.Conn, d transcript.Dir) error {
	buf := make([]byte, readSize)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if rerr := s.record(d, buf[:n]); rerr != nil {
				return rerr
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return quiet(werr)
			}
		}
		if err == io.EOF {
			if tcp, ok := dst.(*net.TCPConn); ok {
				return quiet(tcp.CloseWrite())
			}
			return nil
		}
		if err != nil {
			return quiet(err)
		}
	}
}

// record appends one chunk to the transcript.
func (s *session) record(d transcript.Dir, p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total += int64(len(p))
	if s.total > s.cfg.maxBytes {
		return errTooMuch
	}
	s.chunk = transcript.AppendChunk(s.chunk[:0], d, p)
	_, err := s.file.Write(s.chunk)
	return err
}

// cut ends the session now, from another goroutine.
func (s *session) cut() {
	s.mu.Lock()
	s.cutOff = true
	s.mu.Unlock()
	s.closeConns()
}

func (s *session) closeConns() {
	s.client.Close()
	s.mu.Lock()
	if s.server != nil {
		s.server.Close()
	}
	s.mu.Unlock()
}

// quiet drops the errors that only say the peer or the other direction
// closed the connection: they end a session normally.
func quiet(err error) error {
	if err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ENOTCONN) {
		return nil
	}
	return err
}
