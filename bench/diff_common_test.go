package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The differential fuzz targets (diff_*_test.go) feed the same bytes to
// mailwire and to another Go library. Where both accept, the results must be
// equal after a documented normalisation; where only one accepts, the input
// must show one of the deliberate differences listed in FUZZING.md's
// "Deliberate strictness" table, named by one of the row constants below.
// Anything else is a t.Fatalf: a mailwire bug or a missing row.

// Rows of the FUZZING.md "Deliberate strictness" table. Each constant is the
// text of the row's first column, between backquotes; TestDiffRowsDocumented
// checks that every one is there.
const (
	rowBareLFBody        = "bare-lf-body"
	rowBareCRBody        = "bare-cr-body"
	rowLongDataLine      = "long-data-line"
	rowBareLFLine        = "bare-lf-line"
	rowBareCRLine        = "bare-cr-line"
	rowLongLine          = "long-line"
	rowReplyCode         = "reply-code-range"
	rowReplyCodeOnly     = "reply-code-only"
	rowReplyMixed        = "reply-mixed-lines"
	rowReplyTooLarge     = "reply-too-large"
	rowHeaderNUL         = "header-nul"
	rowHeaderBareCR      = "header-bare-cr"
	rowHeaderBareLF      = "header-bare-lf"
	rowHeaderName        = "header-name"
	rowHeaderSpace       = "header-space-before-colon"
	rowHeaderLong        = "header-long-line"
	rowHeaderNoEnd       = "header-no-line-end"
	rowHeaderEmptyName   = "header-empty-name"
	rowTextprotoEmptyLF  = "textproto-empty-lf-line"
	rowNoLineEnd         = "no-line-end-at-eof"
	rowHeaderNoFields    = "header-no-fields-at-eof"
	rowHeaderColonFolded = "header-colon-after-fold"
	rowIMAPLiteralNUL    = "imap-literal-nul"
	rowIMAP8Bit          = "imap-8bit"
	rowIMAPCTL           = "imap-ctl"
	rowIMAPAtom          = "imap-atom"
	rowIMAPStatusCase    = "imap-status-case"
	rowIMAPQuirk         = "imap-quirk"
	rowIMAPDataShape     = "imap-data-shape"
	rowIMAPFetchItem     = "imap-fetch-item"
	rowIMAPUnknownData   = "imap-unknown-data"
	rowIMAPBracket       = "imap-bracket"
	rowIMAPCodeArgs      = "imap-code-args"
	rowIMAPCodeForm      = "imap-code-form"
	rowIMAPTruncated     = "imap-truncated"
	rowIMAPUnnumbered    = "imap-unnumbered-data"
	rowSMTPEmptyQuoted   = "smtp-empty-quoted-local-part"
	rowSMTPPathSyntax    = "smtp-path-syntax"
	rowSMTPPathOctets    = "smtp-path-octets"
	rowSMTPParam         = "smtp-param"
	rowSMTPSize32        = "smtp-size-32bit"
	rowSMTPPostmaster    = "smtp-postmaster"
)

var allRows = []string{
	rowBareLFBody, rowBareCRBody, rowLongDataLine, rowBareLFLine, rowBareCRLine, rowLongLine,
	rowReplyCode, rowReplyCodeOnly, rowReplyMixed, rowReplyTooLarge,
	rowHeaderNUL, rowHeaderBareCR, rowHeaderBareLF, rowHeaderName, rowHeaderSpace, rowHeaderLong,
	rowHeaderNoEnd, rowHeaderEmptyName, rowHeaderNoFields, rowHeaderColonFolded,
	rowTextprotoEmptyLF, rowNoLineEnd,
	rowIMAPLiteralNUL, rowIMAP8Bit, rowIMAPCTL, rowIMAPAtom, rowIMAPStatusCase, rowIMAPQuirk,
	rowIMAPDataShape, rowIMAPFetchItem, rowIMAPUnknownData, rowIMAPBracket, rowIMAPCodeArgs, rowIMAPCodeForm, rowIMAPTruncated, rowIMAPUnnumbered,
	rowSMTPPathSyntax, rowSMTPPathOctets, rowSMTPParam, rowSMTPSize32, rowSMTPPostmaster, rowSMTPEmptyQuoted,
}

func TestDiffRowsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../FUZZING.md")
	require.NoError(t, err)
	for _, row := range allRows {
		require.True(t, strings.Contains(string(doc), "| `"+row+"` |"), "row %q is not in FUZZING.md's table", row)
	}
}

// A session is one recorded transcript's two directions, each concatenated.
type session struct {
	name           string
	client, server []byte
}

var (
	sessionsOnce sync.Once
	sessionsAll  []session
	sessionsErr  error
)

var chunkHead = regexp.MustCompile(`^([CS]) ([1-9][0-9]*)$`)

// sessions returns the recorded transcripts (../testdata/transcripts) whose
// file name starts with prefix. The format is internal/transcript's, which
// this module cannot import: a text header, then "C n" / "S n" lines each
// followed by n raw bytes and one LF.
func sessions(tb testing.TB, prefix string) []session {
	sessionsOnce.Do(func() { sessionsAll, sessionsErr = loadSessions("../testdata/transcripts") })
	require.NoError(tb, sessionsErr)
	var out []session
	for _, s := range sessionsAll {
		if strings.HasPrefix(s.name, prefix) {
			out = append(out, s)
		}
	}
	require.NotEmpty(tb, out, "no transcripts named %s*", prefix)
	return out
}

func loadSessions(dir string) ([]session, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.txn*"))
	if err != nil {
		return nil, err
	}
	var out []session
	for _, name := range names {
		s, err := loadSession(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func loadSession(name string) (session, error) {
	f, err := os.Open(name)
	if err != nil {
		return session{}, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return session{}, err
		}
		r = zr
	}
	br := bufio.NewReader(r)
	s := session{name: filepath.Base(name)}
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF && line == "" {
			return s, nil
		}
		if err != nil {
			return s, err
		}
		m := chunkHead.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
		if m == nil {
			continue // header lines and the blank line after them
		}
		n, _ := strconv.Atoi(m[2])
		data := make([]byte, n+1)
		if _, err := io.ReadFull(br, data); err != nil {
			return s, err
		}
		if m[1] == "C" {
			s.client = append(s.client, data[:n]...)
		} else {
			s.server = append(s.server, data[:n]...)
		}
	}
}

// dataBodies returns the DATA bodies (dot-stuffed, terminator included) of
// the SMTP client streams.
func dataBodies(tb testing.TB) [][]byte {
	var out [][]byte
	for _, s := range sessions(tb, "smtp-") {
		rest := s.client
		for {
			i := bytes.Index(rest, []byte("\r\nDATA\r\n"))
			if i < 0 {
				break
			}
			rest = rest[i+len("\r\nDATA\r\n"):]
			end := bytes.Index(rest, []byte("\r\n.\r\n"))
			if end < 0 {
				break
			}
			out = append(out, rest[:end+5])
			rest = rest[end+5:]
		}
	}
	require.NotEmpty(tb, out)
	return out
}

// unstuff turns a DATA body as sent into the message it carries.
func unstuff(body []byte) []byte {
	body = bytes.TrimSuffix(body, []byte(".\r\n"))
	var out []byte
	for len(body) > 0 {
		line := body
		if i := bytes.Index(body, []byte("\r\n")); i >= 0 {
			line = body[:i+2]
		}
		body = body[len(line):]
		out = append(out, bytes.TrimPrefix(line, []byte("."))...)
	}
	return out
}

// clip keeps seeds small enough for the fuzzer to mutate usefully.
func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// realEnd returns the length of the DATA or POP3 body at the start of b up
// to and including its real end, <CRLF>.<CRLF> (or ".\r\n" as its first
// line), and false if b has none.
func realEnd(b []byte) (int, bool) {
	if bytes.HasPrefix(b, []byte(".\r\n")) {
		return 3, true
	}
	i := bytes.Index(b, []byte("\r\n.\r\n"))
	if i < 0 {
		return 0, false
	}
	return i + 5, true
}

// hasBareLF reports an LF not preceded by CR; hasBareCR a CR not followed
// by LF.
func hasBareLF(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return true
		}
	}
	return false
}

func hasBareCR(b []byte) bool {
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			return true
		}
	}
	return false
}

// longestLine returns the length of b's longest line, its line end (CRLF or
// LF) included.
func longestLine(b []byte) int {
	longest := 0
	for len(b) > 0 {
		n := len(b)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			n = i + 1
		}
		longest = max(longest, n)
		b = b[n:]
	}
	return longest
}

// crlfToLF is net/textproto's view of a body: every CRLF an LF.
func crlfToLF(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}
