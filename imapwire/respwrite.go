package imapwire

import (
	"strconv"
	"unicode/utf8"
)

// Response writers: the server side of the wire, one Append function per
// response (RFC 9051 §7, RFC 3501 §7 and the extensions named below), each
// appending the whole response with its CRLF to dst and returning the
// grown slice. Writers that carry strings or mailbox names are methods of
// [Encoder], whose UTF8 field chooses UTF-8 or modified UTF-7 names and
// whether quoted strings may hold UTF-8 (its Side and NonSync are
// ignored); the others are functions. Strings are written as atoms where
// the grammar takes one and they are one, else quoted, else as literals
// ({n}: a server's literals need no continuation). A value the grammar cannot carry (CR, LF or NUL in text,
// a flag that is no atom, a zero UID, an empty sequence set, a number too
// large for its field) fails with ErrInjection and dst is returned
// unchanged. With room in dst they allocate nothing.

// CodeID names a response code (RFC 9051 §7.1, RFC 5530 and the
// extensions named below).
type CodeID uint8

// Response codes. The comment says which field of [Code] carries the
// argument.
const (
	CodeNone                 CodeID = iota // no code
	CodeAlert                              // ALERT
	CodeAlreadyExists                      // ALREADYEXISTS (RFC 5530)
	CodeAppendUID                          // APPENDUID Num UIDs (RFC 4315)
	CodeAuthenticationFailed               // AUTHENTICATIONFAILED (RFC 5530)
	CodeAuthorizationFailed                // AUTHORIZATIONFAILED (RFC 5530)
	CodeBadCharset                         // BADCHARSET [(Words)]
	CodeCannot                             // CANNOT (RFC 5530)
	CodeCapability                         // CAPABILITY Words
	CodeClientBug                          // CLIENTBUG (RFC 5530)
	CodeClosed                             // CLOSED (RFC 7162)
	CodeCompressionActive                  // COMPRESSIONACTIVE (RFC 4978)
	CodeContactAdmin                       // CONTACTADMIN (RFC 5530)
	CodeCopyUID                            // COPYUID Num UIDs DstUIDs (RFC 4315)
	CodeCorruption                         // CORRUPTION (RFC 5530)
	CodeExpired                            // EXPIRED (RFC 5530)
	CodeExpungeIssued                      // EXPUNGEISSUED (RFC 5530)
	CodeHasChildren                        // HASCHILDREN (RFC 9051)
	CodeHighestModSeq                      // HIGHESTMODSEQ Num (RFC 7162)
	CodeInUse                              // INUSE (RFC 5530)
	CodeLimit                              // LIMIT (RFC 5530)
	CodeModified                           // MODIFIED UIDs (RFC 7162)
	CodeNoModSeq                           // NOMODSEQ (RFC 7162)
	CodeNoPerm                             // NOPERM (RFC 5530)
	CodeNonExistent                        // NONEXISTENT (RFC 5530)
	CodeNotSaved                           // NOTSAVED (RFC 5182)
	CodeOverQuota                          // OVERQUOTA (RFC 5530)
	CodeParse                              // PARSE
	CodePermanentFlags                     // PERMANENTFLAGS (Words): flags, \* allowed
	CodePrivacyRequired                    // PRIVACYREQUIRED (RFC 5530)
	CodeReadOnly                           // READ-ONLY
	CodeReadWrite                          // READ-WRITE
	CodeServerBug                          // SERVERBUG (RFC 5530)
	CodeTooBig                             // TOOBIG (RFC 7889)
	CodeTryCreate                          // TRYCREATE
	CodeUIDNext                            // UIDNEXT Num
	CodeUIDNotSticky                       // UIDNOTSTICKY (RFC 4315)
	CodeUIDValidity                        // UIDVALIDITY Num
	CodeUnavailable                        // UNAVAILABLE (RFC 5530)
	CodeUnknownCTE                         // UNKNOWN-CTE (RFC 3516)
	CodeUnseen                             // UNSEEN Num
	CodeUseAttr                            // USEATTR (RFC 6154)
	CodeOther                              // Name [SP Arg]: any other code
)

var codeNames = [...]string{"", "ALERT", "ALREADYEXISTS", "APPENDUID", "AUTHENTICATIONFAILED",
	"AUTHORIZATIONFAILED", "BADCHARSET", "CANNOT", "CAPABILITY", "CLIENTBUG", "CLOSED",
	"COMPRESSIONACTIVE", "CONTACTADMIN", "COPYUID", "CORRUPTION", "EXPIRED", "EXPUNGEISSUED",
	"HASCHILDREN", "HIGHESTMODSEQ", "INUSE", "LIMIT", "MODIFIED", "NOMODSEQ", "NOPERM",
	"NONEXISTENT", "NOTSAVED", "OVERQUOTA", "PARSE", "PERMANENTFLAGS", "PRIVACYREQUIRED",
	"READ-ONLY", "READ-WRITE", "SERVERBUG", "TOOBIG", "TRYCREATE", "UIDNEXT", "UIDNOTSTICKY",
	"UIDVALIDITY", "UNAVAILABLE", "UNKNOWN-CTE", "UNSEEN", "USEATTR", ""}

// String returns the code's name ("" for CodeNone and CodeOther).
func (c CodeID) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "CODE?"
}

// Code is a response code and its argument, for the status writers. Build
// it as a literal: Code{ID: CodeUIDNext, Num: 42}. Only the fields the ID
// names are read. Numbers are checked against their grammar: UIDNEXT,
// UIDVALIDITY, UNSEEN and the UIDVALIDITY of APPENDUID and COPYUID are
// non-zero 32-bit numbers, HIGHESTMODSEQ a non-zero 63-bit one.
type Code struct {
	ID CodeID
	// Num is the number of UIDNEXT, UIDVALIDITY, UNSEEN and HIGHESTMODSEQ,
	// and the UIDVALIDITY of APPENDUID and COPYUID.
	Num uint64
	// UIDs are APPENDUID's new UIDs, COPYUID's source UIDs and MODIFIED's
	// numbers, written as a compact sequence set (see AppendSeqSet); DstUIDs
	// are COPYUID's destination UIDs, as many as UIDs and in the same
	// order.
	UIDs, DstUIDs []uint32
	// Words are CAPABILITY's names (atoms), PERMANENTFLAGS' flags (\* is
	// allowed) and BADCHARSET's charsets (atoms; none writes no list).
	Words [][]byte
	// Name and Arg are CodeOther's atom and its argument, UTF-8 text
	// without "]" (empty for none).
	Name, Arg []byte
}

// AppendTagged appends a command's completion, "tag OK|NO|BAD [code]
// text" CRLF. cond is CondOK, CondNo or CondBad; code.ID CodeNone writes
// no code. text is resp-text: UTF-8 without CR, LF or NUL; after no code it
// may not start with "[". An empty text is written as the condition's name,
// since RFC 3501 requires one.
func AppendTagged(dst, tag []byte, cond Cond, code Code, text string) ([]byte, error) {
	if cond != CondOK && cond != CondNo && cond != CondBad ||
		len(tag) == 0 || run(tag, 0, clTag) != len(tag) {
		return dst, ErrInjection
	}
	w := writer{b: dst, n: len(dst)}
	w.bytes(tag)
	w.status(cond, &code, text)
	return w.finish()
}

// AppendUntagged appends an untagged status response, "* OK|NO|BAD|BYE|
// PREAUTH [code] text" CRLF: the greeting (OK or PREAUTH, typically with a
// CAPABILITY code), BYE before closing, and the OK responses that carry
// codes during SELECT (UIDVALIDITY, UIDNEXT, PERMANENTFLAGS, …). code and
// text are as for AppendTagged.
func AppendUntagged(dst []byte, cond Cond, code Code, text string) ([]byte, error) {
	if cond < CondOK || cond > CondPreauth {
		return dst, ErrInjection
	}
	w := writer{b: dst, n: len(dst)}
	w.byte1('*')
	w.status(cond, &code, text)
	return w.finish()
}

// status writes " cond [code] text" after the tag or "*".
func (w *writer) status(cond Cond, code *Code, text string) {
	w.sp()
	w.raw(condNames[cond])
	w.sp()
	if code.ID != CodeNone {
		w.byte1('[')
		w.code(code)
		w.raw("] ")
	}
	if text == "" {
		w.raw(condNames[cond])
		return
	}
	if text[0] == '[' && code.ID == CodeNone {
		w.fail(ErrInjection)
		return
	}
	w.text(text)
}

// text writes resp-text: valid UTF-8, no NUL, CR or LF.
func (w *writer) text(s string) {
	var high byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if class[c]&clText == 0 {
			w.fail(ErrInjection)
			return
		}
		high |= c
	}
	if high >= 0x80 && !utf8.ValidString(s) {
		w.fail(ErrInjection)
		return
	}
	w.raw(s)
}

// code writes a response code without its brackets.
func (w *writer) code(c *Code) {
	switch c.ID {
	case CodeOther:
		if !isAtom(c.Name) {
			w.fail(ErrInjection)
			return
		}
		w.bytes(c.Name)
		if len(c.Arg) > 0 {
			if run(c.Arg, 0, clText) != len(c.Arg) || !utf8.Valid(c.Arg) {
				w.fail(ErrInjection)
				return
			}
			for _, ch := range c.Arg {
				if ch == ']' {
					w.fail(ErrInjection)
					return
				}
			}
			w.sp()
			w.bytes(c.Arg)
		}
		return
	case CodeNone:
		return
	}
	if int(c.ID) >= len(codeNames) {
		w.fail(ErrInjection)
		return
	}
	w.raw(codeNames[c.ID])
	switch c.ID {
	case CodeUIDNext, CodeUIDValidity, CodeUnseen:
		w.sp()
		w.nzNumber(c.Num, maxNumber)
	case CodeHighestModSeq:
		w.sp()
		w.nzNumber(c.Num, maxNumber64)
	case CodeAppendUID:
		w.sp()
		w.nzNumber(c.Num, maxNumber)
		w.sp()
		w.seqSet(c.UIDs)
	case CodeCopyUID:
		if len(c.UIDs) != len(c.DstUIDs) {
			w.fail(ErrInjection)
			return
		}
		w.sp()
		w.nzNumber(c.Num, maxNumber)
		w.sp()
		w.seqSet(c.UIDs)
		w.sp()
		w.seqSet(c.DstUIDs)
	case CodeModified:
		w.sp()
		w.seqSet(c.UIDs)
	case CodeCapability:
		if len(c.Words) == 0 {
			w.fail(ErrInjection)
			return
		}
		for _, a := range c.Words {
			w.sp()
			w.atom(a)
		}
	case CodePermanentFlags:
		w.sp()
		w.byte1('(')
		for i, f := range c.Words {
			if i > 0 {
				w.sp()
			}
			w.flag(f, true)
		}
		w.byte1(')')
	case CodeBadCharset:
		if len(c.Words) == 0 {
			return
		}
		w.raw(" (")
		for i, a := range c.Words {
			if i > 0 {
				w.sp()
			}
			w.atom(a)
		}
		w.byte1(')')
	}
}

// nzNumber writes a non-zero number up to limit.
func (w *writer) nzNumber(n, limit uint64) {
	if n == 0 || n > limit {
		w.fail(ErrInjection)
		return
	}
	w.number(n)
}

// seqSet writes nums as a compact sequence set.
func (w *writer) seqSet(nums []uint32) {
	b, err := AppendSeqSet(w.b, nums)
	if err != nil {
		w.fail(err)
		return
	}
	w.b = b
}

// AppendSeqSet appends nums as a sequence set, each run of consecutive
// ascending numbers as one range: 1 2 3 5 7 8 is "1:3,5,7:8". The order of
// nums is kept (COPYUID pairs its two sets by position), so sort them
// first for the shortest form. An empty slice or a zero fails with
// ErrInjection and dst is unchanged.
func AppendSeqSet(dst []byte, nums []uint32) ([]byte, error) {
	if len(nums) == 0 {
		return dst, ErrInjection
	}
	n := len(dst)
	for i := 0; i < len(nums); {
		lo := nums[i]
		if lo == 0 {
			return dst[:n], ErrInjection
		}
		j := i + 1
		for j < len(nums) && nums[j-1] != maxNumber && nums[j] == nums[j-1]+1 {
			j++
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendUint(dst, uint64(lo), 10)
		if j-i > 1 {
			dst = append(dst, ':')
			dst = strconv.AppendUint(dst, uint64(nums[j-1]), 10)
		}
		i = j
	}
	return dst, nil
}

// AppendContinuationData appends "+ base64" CRLF, an AUTHENTICATE
// challenge (RFC 9051 §6.2.2): data in base64, "+ " alone for an empty
// challenge. Text continuations are AppendContinuation's.
func AppendContinuationData(dst, data []byte) []byte {
	return AppendAuthResponse(append(dst, '+', ' '), data)
}
