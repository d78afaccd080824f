package imapwire

// SearchKeyID names a search key (RFC 9051 §6.4.4, RFC 3501, RFC 7162
// MODSEQ, RFC 5032 OLDER/YOUNGER).
type SearchKeyID uint8

// Search keys. The comment says what the key carries: Strings is how many
// astrings the caller reads next with SearchString.
const (
	SearchSeqSet     SearchKeyID = iota // a bare sequence set: Set
	SearchAll                           // ALL
	SearchAnswered                      // ANSWERED
	SearchBcc                           // BCC, 1 string
	SearchBefore                        // BEFORE date: Date
	SearchBody                          // BODY, 1 string
	SearchCc                            // CC, 1 string
	SearchDeleted                       // DELETED
	SearchDraft                         // DRAFT
	SearchFlagged                       // FLAGGED
	SearchFrom                          // FROM, 1 string
	SearchHeader                        // HEADER, 2 strings
	SearchKeyword                       // KEYWORD flag: Atom
	SearchLarger                        // LARGER n: Num
	SearchModSeq                        // MODSEQ ["entry" type] n: Num, Atom (the entry), Type
	SearchNew                           // NEW
	SearchNot                           // NOT: the next key is its operand
	SearchOld                           // OLD
	SearchOlder                         // OLDER n: Num
	SearchOn                            // ON date: Date
	SearchOr                            // OR: the next two keys are its operands
	SearchRecent                        // RECENT
	SearchSeen                          // SEEN
	SearchSentBefore                    // SENTBEFORE date: Date
	SearchSentOn                        // SENTON date: Date
	SearchSentSince                     // SENTSINCE date: Date
	SearchSince                         // SINCE date: Date
	SearchSmaller                       // SMALLER n: Num
	SearchSubject                       // SUBJECT, 1 string
	SearchText                          // TEXT, 1 string
	SearchTo                            // TO, 1 string
	SearchUID                           // UID set: Set
	SearchUnanswered                    // UNANSWERED
	SearchUndeleted                     // UNDELETED
	SearchUndraft                       // UNDRAFT
	SearchUnflagged                     // UNFLAGGED
	SearchUnkeyword                     // UNKEYWORD flag: Atom
	SearchUnseen                        // UNSEEN
	SearchYounger                       // YOUNGER n: Num
	SearchOpen                          // "(": a group of keys starts
	SearchClose                         // ")": the group ends
)

type searchSpec struct {
	name string
	arg  byte // 0 none, 's' strings, 'd' date, 'n' number, 'k' keyword, 'u' set, 'm' modseq
	n    uint8
}

var searchKeys = [...]searchSpec{
	SearchAll: {"ALL", 0, 0}, SearchAnswered: {"ANSWERED", 0, 0}, SearchBcc: {"BCC", 's', 1},
	SearchBefore: {"BEFORE", 'd', 0}, SearchBody: {"BODY", 's', 1}, SearchCc: {"CC", 's', 1},
	SearchDeleted: {"DELETED", 0, 0}, SearchDraft: {"DRAFT", 0, 0}, SearchFlagged: {"FLAGGED", 0, 0},
	SearchFrom: {"FROM", 's', 1}, SearchHeader: {"HEADER", 's', 2}, SearchKeyword: {"KEYWORD", 'k', 0},
	SearchLarger: {"LARGER", 'n', 0}, SearchModSeq: {"MODSEQ", 'm', 0}, SearchNew: {"NEW", 0, 0},
	SearchNot: {"NOT", 0, 0}, SearchOld: {"OLD", 0, 0}, SearchOlder: {"OLDER", 'n', 0},
	SearchOn: {"ON", 'd', 0}, SearchOr: {"OR", 0, 0}, SearchRecent: {"RECENT", 0, 0},
	SearchSeen: {"SEEN", 0, 0}, SearchSentBefore: {"SENTBEFORE", 'd', 0}, SearchSentOn: {"SENTON", 'd', 0},
	SearchSentSince: {"SENTSINCE", 'd', 0}, SearchSince: {"SINCE", 'd', 0}, SearchSmaller: {"SMALLER", 'n', 0},
	SearchSubject: {"SUBJECT", 's', 1}, SearchText: {"TEXT", 's', 1}, SearchTo: {"TO", 's', 1},
	SearchUID: {"UID", 'u', 0}, SearchUnanswered: {"UNANSWERED", 0, 0}, SearchUndeleted: {"UNDELETED", 0, 0},
	SearchUndraft: {"UNDRAFT", 0, 0}, SearchUnflagged: {"UNFLAGGED", 0, 0},
	SearchUnkeyword: {"UNKEYWORD", 'k', 0}, SearchUnseen: {"UNSEEN", 0, 0}, SearchYounger: {"YOUNGER", 'n', 0},
}

// searchKeyIndex finds search keys by name.
var searchKeyIndex = newFoldIndex(uint8(SearchAll), uint8(SearchOpen-1), func(id uint8) string { return searchKeys[id].name })

// lookupSearchKey finds the key named name, ignoring case; SearchSeqSet
// stands for none.
func lookupSearchKey(name []byte) SearchKeyID {
	if !isAtom(name) {
		return SearchSeqSet
	}
	return SearchKeyID(searchKeyIndex.lookup(name, 0, len(name)))
}

// SearchKey is one search key with its non-string arguments.
type SearchKey struct {
	Key     SearchKeyID
	Set     SeqSet // SearchSeqSet, SearchUID
	Date    []byte // the date's text, "1-Feb-1994" (quotes removed)
	Num     uint64 // LARGER, SMALLER, OLDER, YOUNGER, MODSEQ
	Atom    []byte // KEYWORD/UNKEYWORD flag; MODSEQ entry name (quoted, escapes kept)
	Type    []byte // MODSEQ entry type: priv, shared or all
	Strings int    // astrings to read now with SearchString
	Depth   int    // nesting of the key in NOT, OR and groups
}

// SearchOptions are what a SEARCH command carries before its keys.
type SearchOptions struct {
	Return  []byte // RFC 4731 RETURN options, a raw list; nil without
	Charset []byte // the CHARSET argument; nil without
}

// SearchOptions reads "[SP RETURN (…)] [SP CHARSET charset]" after SEARCH.
func (r *Reader) SearchOptions() (SearchOptions, error) {
	var o SearchOptions
	if err := r.cur(); err != nil {
		return o, err
	}
	if r.keywordAfterSP("RETURN") {
		if err := r.SP(); err != nil {
			return o, err
		}
		raw, err := r.Capture()
		if err != nil || raw[0] != '(' {
			return o, r.expected("RETURN options")
		}
		o.Return = raw
	}
	if r.keywordAfterSP("CHARSET") {
		if err := r.SP(); err != nil {
			return o, err
		}
		t, err := r.AString()
		if err != nil || t.Kind == KindLiteral {
			return o, r.expected("charset")
		}
		o.Charset = t.Bytes
	}
	return o, nil
}

// keywordAfterSP consumes SP and the keyword w when both come next.
func (r *Reader) keywordAfterSP(w string) bool {
	if r.p >= r.end || r.buf[r.p] != ' ' {
		return false
	}
	r.p++
	if r.keywordBefore(w, ' ') {
		return true
	}
	r.p--
	return false
}

// Search operand stack entries: what an open NOT, OR or "(" still needs.
const (
	needOne  = 1 // NOT, or OR after its first operand
	needTwo  = 2 // OR before its first operand
	needOpen = 3 // "(" until its ")"
)

// NextSearchKey reads the next search key (after SP); false at the end of
// the command, which it then ends. NOT and OR nest up to Limits.MaxDepth,
// and so do groups. Keys with Strings > 0 are followed by that many
// SearchString calls. The first call must follow SearchOptions.
func (r *Reader) NextSearchKey() (SearchKey, bool, error) {
	var k SearchKey
	ok, err := r.nextSearchKey(&k)
	return k, ok, err
}

// nextSearchKey is NextSearchKey into k, which must be zero.
func (r *Reader) nextSearchKey(k *SearchKey) (bool, error) {
	if r.searchDone {
		r.complete()
		r.searchDone = false
	}
	if err := r.cur(); err != nil {
		return false, err
	}
	if r.p == r.end {
		if len(r.search) > 0 || r.searchN == 0 {
			return false, r.expected("search key")
		}
		return false, r.End()
	}
	if r.buf[r.p-1] != '(' {
		if err := r.SP(); err != nil {
			return false, err
		}
	}
	k.Depth = len(r.search)
	r.searchN++
	switch c := r.Peek(); {
	case c == '(':
		r.p++
		k.Key = SearchOpen
		return true, r.pushSearch(needOpen)
	case c == ')':
		if len(r.search) == 0 || r.search[len(r.search)-1] != needOpen {
			return false, r.expected("search key")
		}
		return false, r.expected("search key before )")
	case c == '*' || c == '$' || class[c]&clDigit != 0:
		s, err := r.SeqSet()
		k.Key, k.Set = SearchSeqSet, s
		r.searchDone = true
		return err == nil, err
	}
	e := run(r.buf[:r.end], r.p, clAtom)
	if e == r.p {
		return false, r.expected("search key")
	}
	p := r.p
	r.p = e
	if k.Key = SearchKeyID(searchKeyIndex.lookup(r.buf, p, e-p)); k.Key == SearchSeqSet {
		return false, r.expected("search key")
	}
	var err error
	switch k.Key {
	case SearchNot:
		return true, r.pushSearch(needOne)
	case SearchOr:
		return true, r.pushSearch(needTwo)
	}
	spec := searchKeys[k.Key]
	if spec.arg != 0 && spec.arg != 's' {
		if err := r.SP(); err != nil {
			return false, err
		}
	}
	switch spec.arg {
	case 's':
		k.Strings = int(spec.n)
	case 'd':
		if k.Date, err = r.date(); err != nil {
			return false, err
		}
	case 'n':
		if k.Num, err = r.Number64(); err != nil {
			return false, err
		}
	case 'k':
		if k.Atom, err = r.Atom(); err != nil {
			return false, err
		}
	case 'u':
		if k.Set, err = r.SeqSet(); err != nil {
			return false, err
		}
	case 'm':
		if r.Peek() == '"' {
			t, err := r.String()
			if err != nil {
				return false, err
			}
			k.Atom = t.Bytes
			if err := r.SP(); err != nil {
				return false, err
			}
			for _, typ := range [...]string{"PRIV", "SHARED", "ALL"} {
				if r.keywordBefore(typ, ' ') {
					k.Type = r.buf[r.p-len(typ) : r.p]
				}
			}
			if k.Type == nil || r.SP() != nil {
				return false, r.expected("entry type")
			}
		}
		if k.Num, err = r.Number64(); err != nil {
			return false, err
		}
	}
	r.searchDone = true
	return true, nil
}

// SearchString reads one astring argument of a search key (after SP); a
// literal is opened, as everywhere.
func (r *Reader) SearchString() (Token, error) {
	if err := r.SP(); err != nil {
		return Token{}, err
	}
	return r.AString()
}

func (r *Reader) pushSearch(need uint8) error {
	if len(r.search) >= r.lim.MaxDepth {
		return syntaxErr(ErrTooDeep, r.offset(r.p), "")
	}
	r.search = append(r.search, need)
	return nil
}

// complete records that a key ended: it satisfies the operators waiting
// for it, and closes groups whose ")" follows.
func (r *Reader) complete() {
	for {
		n := len(r.search)
		if n == 0 {
			return
		}
		switch r.search[n-1] {
		case needOne:
			r.search = r.search[:n-1]
			continue
		case needTwo:
			r.search[n-1] = needOne
			return
		}
		if r.cur() != nil || r.Peek() != ')' {
			return
		}
		r.p++
		r.search = r.search[:n-1]
	}
}

// date reads a date: "d-Mon-yyyy", quoted or not (RFC 9051 §9).
func (r *Reader) date() ([]byte, error) {
	var d []byte
	if r.Peek() == '"' {
		t, err := r.String()
		if err != nil {
			return nil, err
		}
		d = t.Bytes
	} else {
		a, err := r.Atom()
		if err != nil {
			return nil, r.expected("date")
		}
		d = a
	}
	if !validDate(d) {
		return nil, r.expected("date d-Mon-yyyy")
	}
	return d, nil
}

// validDate reports whether d is a date that ParseDate takes.
func validDate(d []byte) bool {
	_, _, _, ok := dateOf(d)
	return ok
}
