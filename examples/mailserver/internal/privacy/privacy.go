// Package privacy is the header pipeline every submitted message goes
// through before it is stored or queued: the service's own Received field
// (no client IP address, host name or EHLO name), the header sanitizer with
// headers.SubmissionRules, and a Date and Message-ID when the client sent
// none. Only the header block is held in memory (at most MaxHeader octets);
// the body streams through untouched, so PGP/MIME and S/MIME parts keep
// every byte.
//
// The Received field is
//
//	Received: by HOSTNAME with ESMTPSA id QUEUEID;
//	 DATE
//
// with no "from" clause at all: not the client's IP address, host name or
// EHLO name, and not the authenticated user either (a pseudonym would still
// link the user's messages; the From field already names the sender).
// RFC 5321 §4.4 has a From-domain in every stamp; leaving it out, as
// OpenSMTPD's mask-src and privacy-minded providers do, is deliberate.
// "with" follows RFC 3848 (ESMTPSA: TLS and AUTH, ESMTPA: AUTH only) and
// the id is the one the session logs, so that an operator can match a
// message to its log lines, where the client IP is.
package privacy

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/mailwire/mailwire/headers"
)

// DefaultMaxHeader bounds the header block of a submitted message: 128 KiB,
// above Postfix's header_size_limit (100 KiB).
const DefaultMaxHeader = 128 << 10

// Pipeline rewrites submitted messages. It is safe for concurrent use.
type Pipeline struct {
	hostname  string
	san       headers.Sanitizer
	maxHeader int
	pool      sync.Pool // *Message, with its buffers
}

// New returns the pipeline of a service whose host name (and mail domain)
// is hostname. secret keys the hash that replaces a Message-ID naming the
// client's machine (headers.RewriteMessageID); nil picks a random one, so
// that rewritten IDs are stable only for the life of the process.
func New(hostname string, secret []byte) *Pipeline {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	p := &Pipeline{hostname: hostname, maxHeader: DefaultMaxHeader}
	p.san = headers.Sanitizer{
		Rules:   headers.SubmissionRules(headers.Submission{Domain: hostname, Hosts: []string{hostname}, Secret: secret}),
		Options: headers.Options{MaxHeaderBytes: DefaultMaxHeader},
	}
	p.pool.New = func() any { return &Message{p: p, in: make([]byte, p.maxHeader), out: make([]byte, 0, 4096)} }
	return p
}

// Trace is what the service's Received field says about one message.
type Trace struct {
	// With is the protocol: ESMTPSA (TLS and AUTH), ESMTPA (AUTH without
	// TLS), as RFC 3848 names them.
	With string
	// ID is the message's queue ID.
	ID   string
	Date time.Time
}

// Message is one message in the pipeline. Read it to the end, then Close it
// to give it back (it is reused: nothing of it may be kept after Close);
// it is not safe for concurrent use. In steady state Open, Read and Close
// do not allocate.
type Message struct {
	p       *Pipeline
	in, out []byte // the header block as read; what replaces it
	rest    []byte // the part of out not read yet
	extra   []byte // body octets read with the header block
	src     io.Reader
	open    bool
	// Report lists what the sanitizer changed, for the log.
	Report headers.Report
}

// ErrHeader wraps a header block the sanitizer refused; headers.ReplyOf
// gives the SMTP reply.
var ErrHeader = errors.New("privacy: header refused")

// Open reads the header block of src and returns the message as it will be
// stored: the service's Received field, the sanitized header block (with a
// Date and a Message-ID added when missing), then the rest of src untouched.
// A header block over the limit or one the sanitizer refuses is an error
// wrapping ErrHeader and the headers sentinel; src is then left where the
// read stopped, for the caller to drain. Errors of src pass through.
func (p *Pipeline) Open(src io.Reader, t Trace) (*Message, error) {
	m := p.pool.Get().(*Message)
	m.open = true
	block, extra, err := headers.ReadBlock(src, m.in)
	if err != nil {
		m.Close()
		if errors.Is(err, headers.ErrHeaderTooLarge) || errors.Is(err, headers.ErrTruncated) {
			return nil, errors.Join(ErrHeader, err)
		}
		return nil, err
	}
	out := m.out[:0]
	out, err = headers.AppendReceived(out, headers.Received{By: p.hostname, With: t.With, ID: t.ID, Date: t.Date})
	if err != nil {
		m.Close()
		return nil, err
	}
	hasDate, hasID := scan(block, p.san.Options)
	out, _, err = p.san.Append(out, block, &m.Report)
	if err != nil {
		m.Close()
		return nil, errors.Join(ErrHeader, err)
	}
	if !hasDate || !hasID {
		blank := bytes.HasSuffix(block, []byte("\r\n\r\n")) || string(block) == "\r\n"
		if blank {
			out = out[:len(out)-2]
		}
		if !hasDate {
			out, _ = headers.AppendField(out, "Date", t.Date.Format(time.RFC1123Z))
		}
		if !hasID {
			out, _ = headers.AppendField(out, "Message-ID", "<"+randomID()+"@"+p.hostname+">")
		}
		if blank {
			out = append(out, '\r', '\n')
		}
	}
	m.out, m.rest, m.extra, m.src = out, out, extra, src
	return m, nil
}

// Read reads the rewritten message: the new header block, then the body.
func (m *Message) Read(p []byte) (int, error) {
	switch {
	case !m.open:
		return 0, io.ErrClosedPipe
	case len(m.rest) > 0:
		n := copy(p, m.rest)
		m.rest = m.rest[n:]
		return n, nil
	case len(m.extra) > 0:
		n := copy(p, m.extra)
		m.extra = m.extra[n:]
		return n, nil
	}
	return m.src.Read(p)
}

// Close gives the message back to the pipeline.
func (m *Message) Close() {
	if !m.open {
		return
	}
	m.open, m.src, m.extra, m.rest = false, nil, nil, nil
	m.p.pool.Put(m)
}

// scan reports whether block has a Date and a Message-ID field. A block the
// scanner refuses reports both present: the sanitizer refuses it next.
func scan(block []byte, opt headers.Options) (date, id bool) {
	s := headers.NewScanner(block, opt)
	for s.Next() {
		f := s.Field()
		date = date || f.Is("Date")
		id = id || f.Is("Message-ID")
	}
	if s.Err() != nil {
		return true, true
	}
	return date, id
}

// randomID returns 16 random octets in hex.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewID returns a fresh queue ID: 24 hex digits, random.
func NewID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
