package imapd

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailwire/mailwire/headers"
	"github.com/mailwire/mailwire/imapwire"
	"golang.org/x/text/encoding/htmlindex"
)

// maxSearchRead bounds what SEARCH reads of one message for BODY and TEXT.
const maxSearchRead = 32 << 20

// searchMsg is one message being tested, its file read only when a key
// needs it.
type searchMsg struct {
	ss     *session
	seq    uint32
	m      *Msg
	loaded bool
	err    error
	raw    []byte // the whole message, for header and body keys
	hdrEnd int
	fields map[string][]string // lower-case name → decoded values
	text   []byte              // the decoded text parts, for BODY and TEXT
	texted bool
}

// maxTextParts bounds the parts SEARCH BODY decodes in one message.
const maxTextParts = 200

// bodyText returns the message's text parts with their transfer encoding
// undone and their charset converted to UTF-8 (RFC 9051 §6.4.4: BODY
// matches the decoded text), bounded by maxSearchRead. Parts that are not
// text are skipped; a part that does not decode is searched as stored.
func (sm *searchMsg) bodyText() []byte {
	if sm.texted {
		return sm.text
	}
	sm.texted = true
	if !sm.load() {
		return nil
	}
	ss := sm.ss
	if ss.msg == nil {
		ss.msg = imapwire.NewMessage(imapwire.MessageOptions{})
	}
	if err := ss.msg.Parse(sm.raw); err != nil {
		sm.text = sm.raw[sm.hdrEnd:]
		return sm.text
	}
	parts := 0
	var walk func(prefix string, depth int)
	walk = func(prefix string, depth int) {
		for i := 1; parts < maxTextParts && depth < 16; i++ {
			p := prefix + strconv.Itoa(i)
			if _, err := ss.msg.Section(imapwire.Section{Part: []byte(p)}); err != nil {
				return
			}
			parts++
			if _, err := ss.msg.Section(imapwire.Section{Part: []byte(p + ".1")}); err == nil {
				walk(p+".", depth+1)
				continue
			}
			sm.text = append(sm.text, sm.partText(p)...)
			sm.text = append(sm.text, '\n')
		}
	}
	walk("", 0)
	return sm.text
}

// partText decodes one leaf part if it is text.
func (sm *searchMsg) partText(part string) []byte {
	ss := sm.ss
	hr, err := ss.msg.Section(imapwire.Section{Part: []byte(part), Text: imapwire.SectionMIME})
	if err != nil {
		return nil
	}
	h := sm.raw[hr.Off : hr.Off+hr.Len]
	ct := headerValue(h, "content-type")
	mt, params, _ := mime.ParseMediaType(string(ct))
	if len(ct) > 0 && !strings.HasPrefix(mt, "text/") {
		return nil
	}
	open, err := ss.partDecoder(imapwire.Section{Part: []byte(part)})
	if err != nil {
		br, _ := ss.msg.Section(imapwire.Section{Part: []byte(part)})
		return sm.raw[br.Off : br.Off+br.Len]
	}
	var rd io.Reader = open()
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		if enc, err := htmlindex.Get(cs); err == nil {
			rd = enc.NewDecoder().Reader(rd)
		}
	}
	b, _ := io.ReadAll(io.LimitReader(rd, maxSearchRead))
	return b
}

func (sm *searchMsg) load() bool {
	if sm.loaded {
		return sm.err == nil
	}
	sm.loaded = true
	f, err := sm.ss.sel.f.OpenMessage(sm.m.UID)
	if err != nil {
		sm.err = err
		return false
	}
	defer f.Close()
	sm.raw, sm.err = io.ReadAll(io.LimitReader(f, maxSearchRead))
	if sm.err != nil {
		return false
	}
	if i := bytes.Index(sm.raw, []byte("\r\n\r\n")); i >= 0 {
		sm.hdrEnd = i + 4
	} else if i := bytes.Index(sm.raw, []byte("\n\n")); i >= 0 {
		sm.hdrEnd = i + 2
	} else {
		sm.hdrEnd = len(sm.raw)
	}
	return true
}

// header returns the decoded values of a header field.
func (sm *searchMsg) header(name string) []string {
	if !sm.load() {
		return nil
	}
	if sm.fields == nil {
		sm.fields = map[string][]string{}
		var cur string
		var val strings.Builder
		endField := func() {
			if cur != "" {
				v := strings.TrimSpace(val.String())
				if d, err := headers.AppendDecoded(nil, []byte(v)); err == nil {
					v = string(d)
				}
				sm.fields[cur] = append(sm.fields[cur], v)
			}
			cur = ""
			val.Reset()
		}
		for _, line := range strings.Split(string(sm.raw[:sm.hdrEnd]), "\n") {
			line = strings.TrimRight(line, "\r")
			if line == "" {
				break
			}
			if line[0] == ' ' || line[0] == '\t' {
				val.WriteString(" ")
				val.WriteString(strings.TrimSpace(line))
				continue
			}
			endField()
			if k, v, ok := strings.Cut(line, ":"); ok {
				cur = strings.ToLower(strings.TrimSpace(k))
				val.WriteString(v)
			}
		}
		endField()
	}
	return sm.fields[strings.ToLower(name)]
}

// contains is the case-insensitive substring test of SEARCH.
func contains(hay, needle string) bool {
	if needle == "" {
		return true
	}
	return strings.Contains(strings.ToLower(hay), strings.ToLower(needle))
}

func (sm *searchMsg) headerHas(name string, needle []byte) bool {
	vals := sm.header(name)
	if len(needle) == 0 {
		return len(vals) > 0
	}
	for _, v := range vals {
		if contains(v, string(needle)) {
			return true
		}
	}
	return false
}

// eval evaluates the key at terms[i]; it returns the result and the index
// after the key.
func (sm *searchMsg) eval(terms []imapwire.SearchTerm, i int) (bool, int) {
	if i >= len(terms) {
		return true, i
	}
	t := &terms[i]
	m := sm.m
	i++
	switch t.Key {
	case imapwire.SearchNot:
		r, j := sm.eval(terms, i)
		return !r, j
	case imapwire.SearchOr:
		a, j := sm.eval(terms, i)
		b, k := sm.eval(terms, j)
		return a || b, k
	case imapwire.SearchOpen:
		r := true
		for i < len(terms) && terms[i].Key != imapwire.SearchClose {
			var x bool
			x, i = sm.eval(terms, i)
			r = r && x
		}
		return r, i + 1
	case imapwire.SearchAll:
		return true, i
	case imapwire.SearchSeqSet, imapwire.SearchUID:
		if t.Set.Saved() {
			_, ok := slices.BinarySearch(sm.ss.saved, m.UID)
			return ok, i
		}
		if t.Key == imapwire.SearchSeqSet {
			return inSet(t.Set, sm.seq, uint32(len(sm.ss.sel.msgs))), i
		}
		var star uint32
		if n := len(sm.ss.sel.msgs); n > 0 {
			star = sm.ss.sel.msgs[n-1].UID
		}
		return inSet(t.Set, m.UID, star), i
	case imapwire.SearchAnswered:
		return hasFlag(m.Flags, `\Answered`), i
	case imapwire.SearchUnanswered:
		return !hasFlag(m.Flags, `\Answered`), i
	case imapwire.SearchDeleted:
		return hasFlag(m.Flags, `\Deleted`), i
	case imapwire.SearchUndeleted:
		return !hasFlag(m.Flags, `\Deleted`), i
	case imapwire.SearchDraft:
		return hasFlag(m.Flags, `\Draft`), i
	case imapwire.SearchUndraft:
		return !hasFlag(m.Flags, `\Draft`), i
	case imapwire.SearchFlagged:
		return hasFlag(m.Flags, `\Flagged`), i
	case imapwire.SearchUnflagged:
		return !hasFlag(m.Flags, `\Flagged`), i
	case imapwire.SearchSeen:
		return hasFlag(m.Flags, `\Seen`), i
	case imapwire.SearchUnseen:
		return !hasFlag(m.Flags, `\Seen`), i
	case imapwire.SearchKeyword:
		return hasFlag(m.Flags, string(t.Atom)), i
	case imapwire.SearchUnkeyword:
		return !hasFlag(m.Flags, string(t.Atom)), i
	case imapwire.SearchRecent:
		return sm.ss.sel.recent[m.UID], i
	case imapwire.SearchNew:
		return sm.ss.sel.recent[m.UID] && !hasFlag(m.Flags, `\Seen`), i
	case imapwire.SearchOld:
		return !sm.ss.sel.recent[m.UID], i
	case imapwire.SearchLarger:
		return uint64(m.Size) > t.Num, i
	case imapwire.SearchSmaller:
		return uint64(m.Size) < t.Num, i
	case imapwire.SearchModSeq:
		return m.ModSeq >= t.Num, i
	case imapwire.SearchOlder:
		return time.Since(m.date()) >= time.Duration(t.Num)*time.Second, i
	case imapwire.SearchYounger:
		return time.Since(m.date()) <= time.Duration(t.Num)*time.Second, i
	case imapwire.SearchBefore, imapwire.SearchOn, imapwire.SearchSince:
		return dateCmp(t.Key, m.date(), t.Date), i
	case imapwire.SearchSentBefore, imapwire.SearchSentOn, imapwire.SearchSentSince:
		vals := sm.header("Date")
		if len(vals) == 0 {
			return false, i
		}
		d, err := mail.ParseDate(vals[0])
		if err != nil {
			return false, i
		}
		k := map[imapwire.SearchKeyID]imapwire.SearchKeyID{imapwire.SearchSentBefore: imapwire.SearchBefore,
			imapwire.SearchSentOn: imapwire.SearchOn, imapwire.SearchSentSince: imapwire.SearchSince}[t.Key]
		return dateCmp(k, d, t.Date), i
	case imapwire.SearchFrom:
		return sm.headerHas("From", t.Str[0]), i
	case imapwire.SearchTo:
		return sm.headerHas("To", t.Str[0]), i
	case imapwire.SearchCc:
		return sm.headerHas("Cc", t.Str[0]), i
	case imapwire.SearchBcc:
		return sm.headerHas("Bcc", t.Str[0]), i
	case imapwire.SearchSubject:
		return sm.headerHas("Subject", t.Str[0]), i
	case imapwire.SearchHeader:
		return sm.headerHas(string(t.Str[0]), t.Str[1]), i
	case imapwire.SearchBody:
		return contains(string(sm.bodyText()), string(t.Str[0])), i
	case imapwire.SearchText:
		if contains(string(sm.bodyText()), string(t.Str[0])) {
			return true, i
		}
		for _, vs := range sm.allHeaders() {
			if contains(vs, string(t.Str[0])) {
				return true, i
			}
		}
		return false, i
	}
	return false, i
}

func (sm *searchMsg) allHeaders() []string {
	sm.header("")
	var out []string
	for k, vs := range sm.fields {
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	return out
}

// dateCmp compares the calendar date of t with an IMAP date (timezone
// and time ignored, RFC 3501 §6.4.4).
func dateCmp(k imapwire.SearchKeyID, t time.Time, date []byte) bool {
	d, err := imapwire.ParseDate(date)
	if err != nil {
		return false
	}
	y, mo, dd := t.Date()
	day := time.Date(y, mo, dd, 0, 0, 0, 0, time.UTC)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	switch k {
	case imapwire.SearchBefore:
		return day.Before(d)
	case imapwire.SearchOn:
		return day.Equal(d)
	default:
		return !day.Before(d)
	}
}

func (ss *session) search(c *imapwire.Cmd) {
	a := &c.Search
	tag := c.Tag
	if cs := a.Charset; cs != nil && !eqFold(cs, "UTF-8") && !eqFold(cs, "US-ASCII") {
		ss.no(tag, imapwire.Code{ID: imapwire.CodeBadCharset, Words: badCharsetWords}, "charset not supported")
		return
	}
	usesModSeq := false
	save := a.Return&imapwire.SearchReturnSave != 0
	for _, t := range a.Terms {
		if t.Key == imapwire.SearchModSeq {
			usesModSeq = true
			ss.condstore = true
		}
	}
	if !c.UID {
		ss.update(false)
	}
	var hits, uids []uint32
	var maxMod uint64
	for i := range ss.sel.msgs {
		m := &ss.sel.msgs[i]
		if m.gone {
			continue
		}
		sm := searchMsg{ss: ss, seq: uint32(i + 1), m: m}
		ok := true
		for j := 0; j < len(a.Terms) && ok; {
			ok, j = sm.eval(a.Terms, j)
		}
		if ok {
			uids = append(uids, m.UID)
			if c.UID {
				hits = append(hits, m.UID)
			} else {
				hits = append(hits, uint32(i+1))
			}
			maxMod = max(maxMod, m.ModSeq)
		}
	}
	if save {
		ss.saved = uids // ascending: the view is in UID order
	}
	switch {
	case save && a.Return == imapwire.SearchReturnSave:
		// SAVE alone: no ESEARCH (RFC 5182 §2.4).
	case a.HasReturn:
		if !ss.esearch(tag, c.UID, a.Return&^imapwire.SearchReturnSave, hits, usesModSeq, maxMod) {
			ss.no(tag, codeOnly(imapwire.CodeServerBug), "SEARCH failed")
			return
		}
	case ss.rev2:
		if !ss.esearch(tag, c.UID, imapwire.SearchReturnAll, hits, usesModSeq, maxMod) {
			ss.no(tag, codeOnly(imapwire.CodeServerBug), "SEARCH failed")
			return
		}
	default:
		var mod uint64
		if usesModSeq {
			mod = max(maxMod, 1)
		}
		if !ss.put(imapwire.AppendSearchData(ss.out, hits, mod)) {
			ss.no(tag, codeOnly(imapwire.CodeServerBug), "SEARCH failed")
			return
		}
	}
	ss.ok(tag, noCode, "SEARCH completed")
}

// esearch writes an ESEARCH response (RFC 4731): false when the writer
// refused it.
func (ss *session) esearch(tag []byte, uid bool, ret imapwire.SearchReturn, hits []uint32, modseq bool, maxMod uint64) bool {
	if ret == 0 {
		ret = imapwire.SearchReturnAll
	}
	r := imapwire.ESearchResult{Tag: tag, UID: uid, Return: ret, Count: uint32(len(hits)), All: hits}
	if len(hits) > 0 {
		r.Min, r.Max = hits[0], hits[len(hits)-1]
		if modseq {
			r.ModSeq = max(maxMod, 1)
		}
	}
	return ss.put(ss.enc().AppendESearchData(ss.out, &r))
}

// badCharsetWords are the charsets SEARCH takes, for BADCHARSET.
var badCharsetWords = [][]byte{[]byte("US-ASCII"), []byte("UTF-8")}

var _ = os.ErrNotExist
