package imapd

import (
	"strconv"

	"github.com/mailwire/mailwire/imapwire"
)

// The response writers the session uses, in one place: status lines with
// their codes and the untagged data lines. They append to ss.out.

// tagged appends "tag cond [code] text".
func (ss *session) tagged(tag []byte, cond, code, text string) {
	ss.out, _ = imapwire.AppendStatus(ss.out, tag, cond, []byte(code), []byte(text))
}

func (ss *session) ok(tag []byte, code, text string)  { ss.tagged(tag, "OK", code, text) }
func (ss *session) no(tag []byte, code, text string)  { ss.tagged(tag, "NO", code, text) }
func (ss *session) bad(tag []byte, code, text string) { ss.tagged(tag, "BAD", code, text) }

// untaggedStatus appends "* cond [code] text".
func (ss *session) untaggedStatus(cond, code, text string) {
	ss.out, _ = imapwire.AppendStatus(ss.out, nil, cond, []byte(code), []byte(text))
}

// num appends "* n NAME" (EXISTS, RECENT, EXPUNGE).
func (ss *session) num(n uint32, name string) {
	ss.out = append(ss.out, "* "...)
	ss.out = strconv.AppendUint(ss.out, uint64(n), 10)
	ss.out = append(ss.out, ' ')
	ss.out = append(ss.out, name...)
	ss.out = append(ss.out, "\r\n"...)
}

// mailbox appends a mailbox name as the client reads it: UTF-8 under
// UTF8=ACCEPT, else modified UTF-7, quoted when needed.
func (ss *session) appendMailbox(dst []byte, name string) []byte {
	e := imapwire.Encoder{UTF8: ss.utf8}
	out, err := e.AppendMailbox(dst, []byte(name))
	if err != nil {
		return append(dst, `""`...)
	}
	return out
}

// appendSet appends a set of sorted numbers in compact ranges "1:3,7".
func appendSet(dst []byte, nums []uint32) []byte {
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendUint(dst, uint64(nums[i]), 10)
		if j > i {
			dst = append(dst, ':')
			dst = strconv.AppendUint(dst, uint64(nums[j]), 10)
		}
		i = j + 1
	}
	return dst
}

// replyOf is the condition a server answers err with, "" for an error of
// the connection.
func replyOf(err error) string { return imapwire.ReplyFor(err).Cond }
