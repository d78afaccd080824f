package imapwire

// ResponseKind tells the three kinds of server response apart.
type ResponseKind uint8

const (
	Untagged     ResponseKind = iota // "* …": status or data
	Tagged                           // "tag OK|NO|BAD …": a command's completion
	Continuation                     // "+ …": a continuation request
)

// Cond is the condition of a status response.
type Cond uint8

const (
	CondNone    Cond = iota // not a status response
	CondOK                  // OK
	CondNo                  // NO
	CondBad                 // BAD
	CondBye                 // BYE
	CondPreauth             // PREAUTH
)

var condNames = [...]string{"", "OK", "NO", "BAD", "BYE", "PREAUTH"}

func (c Cond) String() string {
	if int(c) < len(condNames) {
		return condNames[c]
	}
	return "COND?"
}

// DataID names an untagged data response.
type DataID uint8

// Data responses.
const (
	DataUnknown    DataID = iota // Name says which
	DataCapability               // * CAPABILITY: read Words
	DataEnabled                  // * ENABLED (RFC 5161): read Words
	DataFlags                    // * FLAGS: read Capture and ValuesOf
	DataList                     // * LIST: read ReadListData
	DataLsub                     // * LSUB: read ReadListData
	DataStatus                   // * STATUS: read ReadStatusData
	DataSearch                   // * SEARCH: read ReadSearchData
	DataESearch                  // * ESEARCH (RFC 4731): read ReadESearchData
	DataServerID                 // * ID (RFC 2971): read Capture and ValuesOf
	DataNamespace                // * NAMESPACE (RFC 2342): read ReadNamespaceData
	DataExists                   // * n EXISTS, complete
	DataRecent                   // * n RECENT, complete
	DataExpunge                  // * n EXPUNGE, complete
	DataFetch                    // * n FETCH: read FetchItems
	DataVanished                 // * VANISHED (RFC 7162): read the rest with the tokenizer
)

var dataNames = [...]string{"", "CAPABILITY", "ENABLED", "FLAGS", "LIST", "LSUB", "STATUS", "SEARCH",
	"ESEARCH", "ID", "NAMESPACE", "EXISTS", "RECENT", "EXPUNGE", "FETCH", "VANISHED"}

// Response is a server response's first part. Status responses (tagged,
// untagged OK/NO/BAD/BYE/PREAUTH) and continuation requests are read whole,
// and so are EXISTS, RECENT and EXPUNGE; for other data the Reader stands
// after Name (or after the number for FETCH), and the Read…Data methods or
// the tokenizer read the rest. Views are valid for the message.
type Response struct {
	Kind ResponseKind
	Tag  []byte // tagged responses
	Cond Cond   // status responses
	// Code is the response code's atom (ALERT, UIDNEXT, …), nil without
	// one, and CodeArg what follows it up to "]" (see the Code… methods).
	Code    []byte
	CodeArg []byte
	// Text is the human-readable text (or a continuation's base64); a
	// "{5}" at its end is text, never a literal.
	Text []byte
	Num  uint32 // the number of "* n EXISTS|RECENT|EXPUNGE|FETCH"
	Name []byte // the data response's name
	Data DataID
}

// ReadResponse starts the next response (client side) and reads what
// Response describes.
func (r *Reader) ReadResponse() (resp Response, err error) {
	// resp is decoded where the result goes, not copied there.
	if err := r.begin(); err != nil {
		return resp, err
	}
	switch r.Peek() {
	case '+':
		resp.Kind = Continuation
		r.p++
		if r.p == r.end && r.q.EmptyContinuation {
			return resp, r.End()
		}
		return resp, r.respText(&resp)
	case '*':
		r.p++
		if err := r.SP(); err != nil {
			return resp, err
		}
		return resp, r.untagged(&resp)
	}
	resp.Kind = Tagged
	e := run(r.line(), r.p, clTag)
	if e == r.p {
		return resp, r.expected("tag, * or +")
	}
	resp.Tag = r.buf[r.p:e]
	r.p = e
	if err := r.SP(); err != nil {
		return resp, err
	}
	for c := CondOK; c <= CondBad; c++ {
		if r.Keyword(condNames[c]) {
			resp.Cond = c
			return resp, r.respText(&resp)
		}
	}
	return resp, r.expected("OK, NO or BAD")
}

func (r *Reader) untagged(resp *Response) error {
	if class[r.Peek()]&clDigit != 0 {
		n, err := r.Number()
		if err != nil {
			return err
		}
		resp.Num = n
		if err := r.SP(); err != nil {
			return err
		}
		name, err := r.Atom()
		if err != nil {
			return err
		}
		resp.Name = name
		if string(name) == "FETCH" { // the commonest, as servers write it
			resp.Data = DataFetch
			return nil
		}
		for _, d := range [...]DataID{DataExists, DataRecent, DataExpunge, DataFetch} {
			if equalFold(name, dataNames[d]) {
				resp.Data = d
			}
		}
		if resp.Data == DataFetch || resp.Data == DataUnknown {
			return nil
		}
		return r.trailingEnd()
	}
	for c := CondOK; c <= CondPreauth; c++ {
		if r.Keyword(condNames[c]) {
			resp.Cond = c
			return r.respText(resp)
		}
	}
	name, err := r.Atom()
	if err != nil {
		return r.expected("response name")
	}
	resp.Name = name
	for d := DataCapability; d <= DataVanished; d++ {
		if d != DataExists && d != DataRecent && d != DataExpunge && d != DataFetch && equalFold(name, dataNames[d]) {
			resp.Data = d
		}
	}
	return nil
}

// trailingEnd is End, with one SP before it under the TrailingSpace quirk.
func (r *Reader) trailingEnd() error {
	if r.q.TrailingSpace && r.cur() == nil && r.p+1 == r.end && r.buf[r.p] == ' ' {
		r.p++
	}
	return r.End()
}

// respText reads [SP ["[" code [SP arg] "]" [SP]] text] to the end.
func (r *Reader) respText(resp *Response) error {
	if r.AtEnd() && r.q.MissingText {
		return r.End()
	}
	if err := r.SP(); err != nil {
		return err
	}
	if r.Peek() == '[' {
		r.p++
		e := run(r.line(), r.p, clAtom)
		if e == r.p {
			return r.expected("response code")
		}
		resp.Code = r.buf[r.p:e]
		r.p = e
		if r.Peek() == ' ' {
			r.p++
			s := r.p
			for r.p < r.end && r.buf[r.p] != ']' && class[r.buf[r.p]]&clText != 0 {
				r.p++
			}
			resp.CodeArg = r.buf[s:r.p]
		}
		if r.Peek() != ']' {
			return r.expected("]")
		}
		r.p++
		if r.AtEnd() && r.q.MissingText {
			return r.End()
		}
		if err := r.SP(); err != nil {
			return err
		}
	}
	text, err := r.Text()
	if err != nil {
		return err
	}
	resp.Text = text
	return r.End()
}

// CodeIs reports whether the response code is name (upper case), ignoring
// case.
func (resp Response) CodeIs(name string) bool { return equalFold(resp.Code, name) }

// CodeNumber parses the code's argument as a number: UIDNEXT, UIDVALIDITY,
// UNSEEN.
func (resp Response) CodeNumber() (uint32, bool) {
	v, ok := parseUint(resp.CodeArg, maxNumber)
	return uint32(v), ok
}

// CodeNumber64 parses the code's argument as a number64: HIGHESTMODSEQ.
func (resp Response) CodeNumber64() (uint64, bool) { return parseUint(resp.CodeArg, maxNumber64) }

// CodeWords returns the code's argument as words: CAPABILITY.
func (resp Response) CodeWords() Words { return WordsOf(resp.CodeArg) }

// CodeValues returns the elements of the code's argument as a list:
// PERMANENTFLAGS, BADCHARSET.
func (resp Response) CodeValues() Values { return ValuesOf(resp.CodeArg) }

// AppendUID parses an APPENDUID code (RFC 4315): the mailbox's
// UIDVALIDITY and the new messages' UIDs.
func (resp Response) AppendUID() (validity uint32, uids SeqSet, ok bool) {
	if !resp.CodeIs("APPENDUID") {
		return 0, SeqSet{}, false
	}
	w := resp.CodeWords()
	a, _ := w.Next()
	b, _ := w.Next()
	v, ok1 := parseUint(a, maxNumber)
	s, ok2 := ParseSeqSet(b)
	_, more := w.Next()
	return uint32(v), s, ok1 && ok2 && v != 0 && !more
}

// CopyUID parses a COPYUID code (RFC 4315): the destination's UIDVALIDITY,
// the source UIDs and the destination UIDs.
func (resp Response) CopyUID() (validity uint32, src, dst SeqSet, ok bool) {
	if !resp.CodeIs("COPYUID") {
		return 0, SeqSet{}, SeqSet{}, false
	}
	w := resp.CodeWords()
	a, _ := w.Next()
	b, _ := w.Next()
	c, _ := w.Next()
	v, ok1 := parseUint(a, maxNumber)
	s, ok2 := ParseSeqSet(b)
	d, ok3 := ParseSeqSet(c)
	_, more := w.Next()
	return uint32(v), s, d, ok1 && ok2 && ok3 && v != 0 && !more
}
