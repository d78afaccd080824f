package imapwire

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// The one-pass readers (fetchItemFast, flagList, the Decoder's astrings
// and patterns) take a subset of what the general path takes, with the
// same result. These tests hold them to it: wherever a fast path accepts,
// the general path must accept the same bytes with the same values.

// lineReader returns a server-side Reader with line framed, the tokenizer
// at its start.
func lineReader(t require.TestingT, line string) *Reader {
	r := NewReader(bytes.NewReader([]byte(line+"\r\n")), ServerSide, Options{})
	require.NoError(t, r.Begin())
	return r
}

// fastAgrees checks the fast paths of this file on one line.
func fastAgrees(t *testing.T, line string) {
	if bytes.ContainsAny([]byte(line), "\r\n") {
		return
	}
	// Keywords: the folded index answers as the word index it replaced.
	if w := []byte(line); isAtom(w) {
		require.Equal(t, wordCommands.lookup(w, CmdUnknown), lookupCommand(w), "%q", line)
		require.Equal(t, wordSearchKeys.lookup(w, SearchSeqSet), lookupSearchKey(w), "%q", line)
		require.Equal(t, wordStatus.lookup(w, 0), StatusAtt(statusIndex.lookup(w, 0, len(w))), "%q", line)
		if id := fetchNameIndex.lookup(w, 0, len(w)); id != fetchBodyPeek && id != fetchBinaryPeek {
			require.Equal(t, lookupFetchAtt(w), FetchAtt(id), "%q", line)
		}
	}
	// FETCH item.
	var fast FetchItem
	r := lineReader(t, line)
	if r.fetchItemFast(&fast) {
		p := r.p
		var slow FetchItem
		r2 := lineReader(t, line)
		require.NoError(t, r2.fetchItem(&slow), "%q", line)
		require.Equal(t, p, r2.p, "%q", line)
		require.Equal(t, slow, fast, "%q", line)
	}
	// The Decoder's astrings and LIST patterns, in both modes: the same
	// values, positions and errors as the general path's.
	for _, utf8 := range []bool{false, true} {
		d := NewDecoder(lineReader(t, line))
		d.r.SetUTF8(utf8)
		v, err := d.astringValue()
		d2 := NewDecoder(lineReader(t, line))
		d2.r.SetUTF8(utf8)
		v2, err2 := d2.value(d2.r.AString())
		require.Equal(t, errString(err2), errString(err), "%q", line)
		require.Equal(t, string(v2), string(v), "%q", line)
		require.Equal(t, d2.r.p, d.r.p, "%q", line)

		d = NewDecoder(lineReader(t, line))
		d.r.SetUTF8(utf8)
		err = d.pattern()
		d2 = NewDecoder(lineReader(t, line))
		d2.r.SetUTF8(utf8)
		v2, err2 = d2.value(d2.r.ListMailbox())
		if err2 == nil {
			v2, err2 = d2.mailboxName(v2)
		}
		require.Equal(t, errString(err2), errString(err), "%q", line)
		if err == nil {
			require.Equal(t, string(v2), string(d.bufs[0]), "%q", line)
			require.Equal(t, d2.r.p, d.r.p, "%q", line)
		}
	}
	// Flag list, with and without \*.
	for _, star := range []bool{false, true} {
		var dst [][]byte
		r := lineReader(t, line)
		raw, ok := r.flagList(star, &dst)
		if !ok {
			require.Empty(t, dst)
			continue
		}
		p := r.p
		r2 := lineReader(t, line)
		raw2, err := r2.Capture()
		require.NoError(t, err, "%q", line)
		require.Equal(t, raw2, raw, "%q", line)
		require.Equal(t, r2.p, p, "%q", line)
		var want [][]byte
		v := ValuesOf(raw2)
		for v.More() {
			tok, ok := v.Next()
			require.True(t, ok)
			require.Contains(t, []Kind{KindFlag, KindAtom}, tok.Kind, "%q", line)
			require.True(t, star || string(tok.Bytes) != `\*`, "%q", line)
			want = append(want, tok.Bytes)
		}
		require.NoError(t, v.Err())
		require.Equal(t, want, dst, "%q", line)
	}
}

// The word indexes the folded ones replaced, for comparison.
var (
	wordCommands   = indexWords(CmdAppend, CommandID(len(commandNames)-1), func(id CommandID) string { return commandNames[id] })
	wordSearchKeys = indexWords(SearchAll, SearchOpen-1, func(id SearchKeyID) string { return searchKeys[id].name })
	wordStatus     = indexWords(StatusMessages, StatusDeletedStorage, func(a StatusAtt) string { return statusNames[a] })
)

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestFastPathsAgree(t *testing.T) {
	for _, line := range fastSeeds {
		fastAgrees(t, line)
	}
	// The fast paths take these (the general path checks the rest).
	for _, line := range []string{"UID", "BODY.PEEK[HEADER.FIELDS (FROM TO)]", "body[]", "BODY[TEXT]", "rfc822.size"} {
		var it FetchItem
		require.True(t, lineReader(t, line).fetchItemFast(&it), line)
	}
	for _, line := range []string{"BODY[1]", "BODY[]<0.10>", "BODY.PEEK", "BINARY.PEEK[1]", "BODY[HEADER.FIELDS ()]", "BODY[HEADER.FIELDS (NIL)]", "BODY[HEADER.FIELDS (a%)]"} {
		var it FetchItem
		require.False(t, lineReader(t, line).fetchItemFast(&it), line)
	}
	_, ok := lineReader(t, `(\Seen \*)`).flagList(false, nil)
	require.False(t, ok)
	_, ok = lineReader(t, `(\Seen nil)`).flagList(true, nil)
	require.False(t, ok)
	_, ok = lineReader(t, `(\Seen )`).flagList(true, nil)
	require.False(t, ok)
}

var fastSeeds = []string{
	"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)]",
	"BODY[]", "body.peek[header]", "BODY[TEXT]", "BODY[HEADER.FIELDS.NOT (X-A)]", "ENVELOPE", "XUNKNOWN",
	"BINARY[1]", "BINARY.SIZE[2]", "BODY[1.HEADER]", "BODY[HEADER.FIELDS (A B)]<0.5>", "BODY[HEADER.FIELDS (A] B)]",
	`(\Seen $Junk)`, `()`, `(\Seen)`, `(a b c)`, `(\*)`, `(a%b ])`, `( \Seen)`, `(\Seen  $Junk)`, `(NIL)`,
	`("a")`, `(\Seen {3}`, `((a))`, `(\)`, `(\Seen)x`,
	"FETCH", "uid", "Unseen", "deleted-storage", "HIGHESTMODSEQ", "rfc822.header", "GETQUOTAROOT", "sentbefore", "UNSUBSCRIBE",
	`INBOX`, `"Sent Items"`, `"a\\b"`, `"&AOk-t&AOk-"`, `R&D`, `"R&D"`, "\"caf\xc3\xa9\"", "\"\xff\"", "caf\xc3\xa9", `%`, `*`, `"*"`, `{3}`, `"a\"b"`,
}

func FuzzFastPaths(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) { fastAgrees(t, line) })
}

func TestFastPathsAllocs(t *testing.T) {
	line := []byte(`x BODY.PEEK[HEADER.FIELDS (FROM TO)] (\Seen $Junk) "a\"b" "Sent Items"` + "\r\n")
	rd := bytes.NewReader(line)
	r := NewReader(bytes.NewReader(nil), ServerSide, Options{})
	d := NewDecoder(r)
	var it FetchItem
	dst := make([][]byte, 0, 4)
	d.scratch = make([]byte, 0, 64)
	d.bufs = make([][]byte, 0, 4)
	allocs := testing.AllocsPerRun(100, func() {
		rd.Reset(line)
		r.Reset(rd)
		require.NoError(t, r.Begin())
		r.p += 2
		require.True(t, r.fetchItemFast(&it))
		r.p++
		_, ok := r.flagList(false, &dst)
		require.True(t, ok)
		dst = dst[:0]
		r.p++
		d.scratch = d.scratch[:0]
		_, err := d.astringValue()
		require.NoError(t, err)
		r.p++
		d.bufs = d.bufs[:0]
		require.NoError(t, d.pattern())
	})
	require.Zero(t, allocs)
}
