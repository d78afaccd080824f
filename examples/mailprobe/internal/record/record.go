// Package record keeps a bounded transcript of what a probe sent and
// received, so that every verdict can show the bytes that showed it.
//
// A Conn wraps a net.Conn and appends each Read and Write to a Log. TLS
// handshake records are never logged: a Conn stops logging its plaintext
// stream when the first TLS record (0x16 0x03) is written through it, since
// everything after that on the same socket is the handshake.
package record

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
)

// MaxLog is the most bytes a Log keeps; later bytes are counted, not kept.
const MaxLog = 64 << 10

// Dir is the direction of an entry.
type Dir byte

// The directions.
const (
	Sent     Dir = 'C' // client to server
	Received Dir = 'S' // server to client
)

// Entry is one read or write.
type Entry struct {
	Dir  Dir
	TLS  bool // inside TLS
	Data []byte
}

// Log is a transcript shared by the Conns of one probe connection.
// It is safe for concurrent use.
type Log struct {
	mu      sync.Mutex
	entries []Entry
	size    int
	dropped int
}

// Add appends a copy of b, within MaxLog.
func (l *Log) Add(d Dir, tls bool, b []byte) {
	if len(b) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.size+len(b) > MaxLog {
		keep := MaxLog - l.size
		l.dropped += len(b) - keep
		b = b[:keep]
		if keep == 0 {
			return
		}
	}
	l.size += len(b)
	if n := len(l.entries); n > 0 && l.entries[n-1].Dir == d && l.entries[n-1].TLS == tls {
		l.entries[n-1].Data = append(l.entries[n-1].Data, b...)
		return
	}
	l.entries = append(l.entries, Entry{Dir: d, TLS: tls, Data: append([]byte(nil), b...)})
}

// Entries returns a copy of the entries so far.
func (l *Log) Entries() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Entry(nil), l.entries...)
}

// Since returns the entries appended after the first n bytes were logged
// (n from Size), cut at that point.
func (l *Log) Since(n int) []Entry {
	var out []Entry
	pos := 0
	for _, e := range l.Entries() {
		end := pos + len(e.Data)
		if end > n {
			from := 0
			if n > pos {
				from = n - pos
			}
			out = append(out, Entry{Dir: e.Dir, TLS: e.TLS, Data: e.Data[from:]})
		}
		pos = end
	}
	return out
}

// Size returns how many bytes are kept.
func (l *Log) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// Format renders entries one line of the stream per row, prefixed "C: " or
// "S: " (and "C~ ", "S~ " inside TLS), with bytes other than printable ASCII
// quoted as Go escapes (\r\n ends each row, so it is shown as such).
func Format(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		prefix := string(e.Dir) + ": "
		if e.TLS {
			prefix = string(e.Dir) + "~ "
		}
		data := e.Data
		for len(data) > 0 {
			i := strings.IndexByte(string(data), '\n')
			line := data
			if i >= 0 {
				line, data = data[:i+1], data[i+1:]
			} else {
				data = nil
			}
			out = append(out, prefix+Quote(line))
		}
	}
	return out
}

// Quote shows b as ASCII: printable bytes as themselves, CR, LF, TAB and
// everything else as Go escapes.
func Quote(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\\':
			sb.WriteString(`\\`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			sb.WriteString(`\x`)
			s := strconv.FormatUint(uint64(c), 16)
			if len(s) == 1 {
				sb.WriteByte('0')
			}
			sb.WriteString(s)
		}
	}
	return sb.String()
}

// Conn logs the bytes through a net.Conn.
type Conn struct {
	net.Conn
	Log *Log
	TLS bool

	mu        sync.Mutex
	handshake bool
}

// Wrap returns c logging to l; tls marks the entries as inside TLS.
func Wrap(c net.Conn, l *Log, tls bool) *Conn {
	return &Conn{Conn: c, Log: l, TLS: tls}
}

func (c *Conn) logging() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.handshake
}

// Read reads from the connection and logs what came.
func (c *Conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && c.logging() {
		c.Log.Add(Received, c.TLS, b[:n])
	}
	return n, err
}

// Write logs b, unless it is a TLS record, and writes it.
func (c *Conn) Write(b []byte) (int, error) {
	if !c.TLS && len(b) >= 2 && b[0] == 0x16 && b[1] == 0x03 {
		c.mu.Lock()
		c.handshake = true
		c.mu.Unlock()
	}
	if c.logging() {
		c.Log.Add(Sent, c.TLS, b)
	}
	return c.Conn.Write(b)
}

// String describes the log size, for debugging.
func (l *Log) String() string {
	return fmt.Sprintf("record.Log(%d bytes, %d dropped)", l.Size(), l.dropped)
}
