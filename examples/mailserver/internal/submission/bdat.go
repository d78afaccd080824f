package submission

import (
	"errors"
	"fmt"
	"io"

	"github.com/mailwire/mailwire/smtpwire"
)

// bdatState is a message arriving in BDAT chunks (RFC 3030). The chunks are
// written into a pipe whose other end the pipeline and the store read in a
// goroutine, so that the message streams as with DATA and nothing is
// stored unless BDAT LAST completes it.
type bdatState struct {
	pw     *io.PipeWriter
	done   chan result
	size   int64
	prevCR bool
}

type result struct {
	id  string
	err error
}

// errAborted ends a BDAT message that will not be completed (RSET, a new
// EHLO, a broken connection): the store sees a failed read and keeps
// nothing.
var errAborted = errors.New("submission: message aborted")

// errStored tells the chunk writer that the store has finished.
var errStored = errors.New("submission: message stored")

func (s *session) chunk(args []byte) {
	size, last, err := smtpwire.ParseBDAT(args)
	if err != nil {
		st := smtpwire.StatusOf(err)
		if errors.Is(err, smtpwire.ErrChunkSize) {
			// The chunk's length is unknown: the session cannot go on.
			s.reply(st.Code, st.Enhanced, st.Text)
			s.closing = true
			return
		}
		s.discard(size)
		s.refuse(st.Code, st.Enhanced, st.Text)
		return
	}
	if s.bdat == nil && !s.ready() {
		s.discard(size)
		return
	}
	if s.bdat == nil {
		pr, pw := io.Pipe()
		b := &bdatState{pw: pw, done: make(chan result, 1)}
		go func() {
			id, err := s.deliver(pr)
			cerr := err
			if cerr == nil {
				cerr = errStored
			}
			pr.CloseWithError(cerr)
			b.done <- result{id, err}
		}()
		s.bdat = b
	}
	b := s.bdat
	if size > uint64(s.cfg.MaxMessage-b.size) {
		s.discard(size)
		s.abortBDAT()
		s.reset()
		s.refuse(552, code(5, 3, 4), "message size exceeds fixed maximum message size")
		return
	}
	b.size += int64(size)
	ch := s.r.Chunk(size)
	src := &source{r: ch, s: s, crlf: true, prevCR: &b.prevCR}
	_, err = io.Copy(b.pw, src)
	if err != nil {
		// Unless the connection broke, the rest of the chunk is read so that
		// the session stays in step.
		if src.err == nil || smtpwire.StatusOf(src.err).Code != 0 {
			if derr := ch.Discard(); derr != nil {
				src.err = derr
			}
		}
		if src.err == nil { // the store gave up
			b.pw.CloseWithError(errAborted)
			res := <-b.done
			s.bdat = nil
			s.finish(res.id, &source{}, res.err)
			return
		}
		// Bad input (bare CR or LF) or a broken connection.
		b.pw.CloseWithError(src.err)
		<-b.done
		s.bdat = nil
		s.finish("", src, nil)
		return
	}
	if !last {
		s.reply(250, code(2, 0, 0), fmt.Sprintf("%d octets received", size))
		return
	}
	if b.prevCR {
		src.err = bareInBody(smtpwire.ErrBareCR)
		b.pw.CloseWithError(src.err)
		<-b.done
		s.bdat = nil
		s.finish("", src, nil)
		return
	}
	b.pw.Close()
	res := <-b.done
	s.bdat = nil
	s.finish(res.id, &source{}, res.err)
}

// discard consumes a refused chunk; a broken connection ends the session.
func (s *session) discard(size uint64) {
	if err := s.r.Chunk(size).Discard(); err != nil {
		s.closing = true
	}
}

// abortBDAT drops a message whose chunks are still arriving.
func (s *session) abortBDAT() {
	if s.bdat == nil {
		return
	}
	s.bdat.pw.CloseWithError(errAborted)
	<-s.bdat.done
	s.bdat = nil
}
