// Package pipetest has an in-memory connection for the session tests whose
// client half-closes: it stops sending and still reads every reply, which
// net.Pipe cannot do (closing one end of it cuts the replies in flight). It
// is imported by tests only.
package pipetest

import (
	"io"
	"net"
	"time"
)

// Conn is one end of a HalfPipe.
type Conn struct {
	*io.PipeReader
	w *io.PipeWriter
}

// HalfPipe returns the two ends of a connection made of two io.Pipes.
// Deadlines are not kept: a test that half-closes ends the session by
// the end of its input, never by a timeout.
func HalfPipe() (client, server *Conn) {
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	return &Conn{PipeReader: cr, w: cw}, &Conn{PipeReader: sr, w: sw}
}

// Write sends b to the other end; it blocks until that end has read it.
func (c *Conn) Write(b []byte) (int, error) { return c.w.Write(b) }

// CloseWrite stops sending: the other end reads io.EOF, and c can still read.
func (c *Conn) CloseWrite() error { return c.w.Close() }

// Close closes both directions.
func (c *Conn) Close() error {
	c.w.Close()
	return c.PipeReader.Close()
}

func (c *Conn) LocalAddr() net.Addr              { return addr{} }
func (c *Conn) RemoteAddr() net.Addr             { return addr{} }
func (c *Conn) SetDeadline(time.Time) error      { return nil }
func (c *Conn) SetReadDeadline(time.Time) error  { return nil }
func (c *Conn) SetWriteDeadline(time.Time) error { return nil }

type addr struct{}

func (addr) Network() string { return "pipe" }
func (addr) String() string  { return "pipe" }
