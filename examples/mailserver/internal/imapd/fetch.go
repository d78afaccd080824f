package imapd

import (
	"errors"
	"io"
	"os"
	"slices"

	"github.com/mailwire/mailwire/imapwire"
)

// fetchNeeds says what of a message the items need.
type fetchNeeds struct {
	parse, setSeen, flags, uid, modseq bool
}

func needsOf(items []imapwire.FetchItem) fetchNeeds {
	var n fetchNeeds
	for _, it := range items {
		switch it.Att {
		case imapwire.FetchAll, imapwire.FetchFull, imapwire.FetchEnvelope, imapwire.FetchBody,
			imapwire.FetchBodyStructure:
			n.parse = true
			if it.Att != imapwire.FetchEnvelope && it.Att != imapwire.FetchBody && it.Att != imapwire.FetchBodyStructure {
				n.flags = true
			}
		case imapwire.FetchFast, imapwire.FetchFlags:
			n.flags = true
		case imapwire.FetchUID:
			n.uid = true
		case imapwire.FetchModSeq:
			n.modseq = true
		case imapwire.FetchBodySection, imapwire.FetchBinary, imapwire.FetchBinarySize,
			imapwire.FetchRFC822, imapwire.FetchRFC822Header, imapwire.FetchRFC822Text:
			n.parse = true
			if !it.Peek && it.Att != imapwire.FetchRFC822Header && it.Att != imapwire.FetchBinarySize {
				n.setSeen = true
			}
		}
	}
	return n
}

func (ss *session) fetch(c *imapwire.Cmd) {
	a := &c.Fetch
	tag := c.Tag
	if !c.UID {
		ss.update(false)
	}
	if a.Vanished && (!c.UID || !a.HasChangedSince || !ss.qresync) {
		ss.bad(tag, noCode, "VANISHED needs UID FETCH with CHANGEDSINCE under QRESYNC")
		return
	}
	idx, ok := ss.resolve(a.Set, c.UID)
	if !ok {
		ss.bad(tag, noCode, "invalid message sequence number")
		return
	}
	for _, it := range a.Items {
		if it.Att == imapwire.FetchUnknown {
			ss.bad(tag, noCode, "FETCH item not supported: "+string(it.Name))
			return
		}
	}
	need := needsOf(a.Items)
	if c.UID {
		need.uid = true
	}
	if a.HasChangedSince {
		ss.condstore = true
		need.modseq = true
	}
	if need.modseq {
		ss.condstore = true
	}
	if a.Vanished {
		if v, _, err := ss.sel.f.Vanished(a.ChangedSince); err == nil {
			var keep []uint32
			star := uint32(0)
			if n := len(ss.sel.msgs); n > 0 {
				star = ss.sel.msgs[n-1].UID
			}
			for _, u := range v {
				if inSet(a.Set, u, max(star, ss.sel.st.UIDNext)) {
					keep = append(keep, u)
				}
			}
			if len(keep) > 0 {
				ss.put(imapwire.AppendVanishedData(ss.out, true, keep))
			}
		}
	}
	var seen []uint32
	failed := false
	for _, i := range idx {
		m := &ss.sel.msgs[i]
		if a.HasChangedSince && m.ModSeq <= a.ChangedSince {
			continue
		}
		if m.gone {
			failed = true
			continue
		}
		setSeen := need.setSeen && !ss.sel.readOnly && !hasFlag(m.Flags, `\Seen`)
		start := len(ss.out)
		flushed := ss.flushes
		if err := ss.fetchOne(uint32(i+1), m, a.Items, need, setSeen); err != nil {
			if err == errGone {
				failed = true
				continue
			}
			if (errors.Is(err, errUnknownCTE) || errors.Is(err, errNoPart)) && flushed == ss.flushes {
				ss.out = ss.out[:start] // nothing of this response was sent yet
				if errors.Is(err, errUnknownCTE) {
					ss.no(tag, codeOnly(imapwire.CodeUnknownCTE), "cannot decode the part's content-transfer-encoding")
				} else {
					ss.no(tag, codeOnly(imapwire.CodeNonExistent), "no such part")
				}
				return
			}
			ss.log.Error("fetch", "uid", m.UID, "err", err)
			ss.out = ss.out[:0]
			ss.untagged(imapwire.CondBye, codeOnly(imapwire.CodeServerBug), "fetch failed")
			ss.flush(true)
			ss.conn.Close()
			return
		}
		if setSeen {
			seen = append(seen, m.UID)
		}
	}
	if len(seen) > 0 {
		if _, err := ss.sel.f.Store(seen, '+', []string{`\Seen`}, 0); err != nil {
			ss.log.Error("store \\Seen", "err", err)
		}
	}
	if failed {
		ss.no(tag, noCode, "some messages were expunged")
		return
	}
	ss.ok(tag, noCode, "FETCH completed")
}

var errGone = os.ErrNotExist

// fetchOne writes one message's FETCH response; literals are streamed.
func (ss *session) fetchOne(seq uint32, m *Msg, items []imapwire.FetchItem, need fetchNeeds, setSeen bool) error {
	var f *os.File
	if need.parse {
		var err error
		f, err = ss.sel.f.OpenMessage(m.UID)
		if err != nil {
			if os.IsNotExist(err) {
				return errGone
			}
			return err
		}
		defer f.Close()
		if ss.msg == nil {
			ss.msg = imapwire.NewMessage(imapwire.MessageOptions{})
		}
		if err := ss.msg.ParseReaderAt(f, m.Size); err != nil {
			return err
		}
	}
	if setSeen {
		m.Flags = insertFlag(m.Flags, `\Seen`)
		need.flags = true
	}
	out := imapwire.AppendFetchStart(ss.out, seq)
	wroteFlags := false
	var err error
	for _, it := range items {
		switch it.Att {
		case imapwire.FetchAll, imapwire.FetchFast, imapwire.FetchFull:
			if !wroteFlags {
				out = ss.appendFlagsItem(out, m)
				wroteFlags = true
			}
			out = imapwire.AppendFetchInternalDate(out, m.date())
			out = imapwire.AppendFetchSize(out, m.Size)
			if it.Att != imapwire.FetchFast {
				if out, err = imapwire.AppendFetchEnvelope(out, ss.msg); err != nil {
					return err
				}
			}
			if it.Att == imapwire.FetchFull {
				if out, err = imapwire.AppendFetchBodyStructure(out, ss.msg, false); err != nil {
					return err
				}
			}
		case imapwire.FetchFlags:
			if !wroteFlags {
				out = ss.appendFlagsItem(out, m)
				wroteFlags = true
			}
		case imapwire.FetchUID:
			if need.uid {
				out = imapwire.AppendFetchUID(out, m.UID)
				need.uid = false
			}
		case imapwire.FetchModSeq:
			if need.modseq {
				out = imapwire.AppendFetchModSeq(out, max(m.ModSeq, 1))
				need.modseq = false
			}
		case imapwire.FetchInternalDate:
			out = imapwire.AppendFetchInternalDate(out, m.date())
		case imapwire.FetchRFC822Size:
			out = imapwire.AppendFetchSize(out, m.Size)
		case imapwire.FetchEnvelope:
			if out, err = imapwire.AppendFetchEnvelope(out, ss.msg); err != nil {
				return err
			}
		case imapwire.FetchBody, imapwire.FetchBodyStructure:
			if out, err = imapwire.AppendFetchBodyStructure(out, ss.msg, it.Att == imapwire.FetchBodyStructure); err != nil {
				return err
			}
		case imapwire.FetchBodySection, imapwire.FetchRFC822, imapwire.FetchRFC822Header, imapwire.FetchRFC822Text:
			if out, err = ss.fetchSection(out, it); err != nil {
				return err
			}
		case imapwire.FetchBinary, imapwire.FetchBinarySize:
			if out, err = ss.fetchBinary(out, it); err != nil {
				return err
			}
		}
	}
	if need.flags && !wroteFlags {
		out = ss.appendFlagsItem(out, m)
	}
	if need.uid {
		out = imapwire.AppendFetchUID(out, m.UID)
	}
	if need.modseq {
		out = imapwire.AppendFetchModSeq(out, max(m.ModSeq, 1))
	}
	ss.out = imapwire.AppendFetchEnd(out)
	return nil
}

// fetchSection appends a section's item; its data is written to the
// connection (with what is pending before it) and the returned buffer
// continues the response.
func (ss *session) fetchSection(out []byte, it imapwire.FetchItem) ([]byte, error) {
	sec := it.Section
	switch it.Att {
	case imapwire.FetchRFC822:
		sec = imapwire.Section{}
	case imapwire.FetchRFC822Header:
		sec = imapwire.Section{Text: imapwire.SectionHeader}
	case imapwire.FetchRFC822Text:
		sec = imapwire.Section{Text: imapwire.SectionBodyText}
	}
	r, err := ss.msg.Section(sec)
	if err != nil {
		// A part that does not exist is an empty string (as Dovecot).
		out = imapwire.AppendFetchSectionHeader(out, it, 0)
		return out, nil
	}
	if r.Filter {
		ss.tmp, err = ss.msg.AppendHeaderFields(ss.tmp[:0], sec)
		if err != nil {
			return out, err
		}
		data := ss.tmp
		if it.Partial {
			o, n := imapwire.Partial(0, int64(len(data)), it)
			data = data[o : o+n]
		}
		out = imapwire.AppendFetchSectionHeader(out, it, int64(len(data)))
		return append(out, data...), nil
	}
	off, n := imapwire.Partial(r.Off, r.Len, it)
	out = imapwire.AppendFetchSectionHeader(out, it, n)
	if n < 4096 {
		ss.tmp = ss.tmp[:0]
		if err := ss.msg.WriteSection(sliceWriter{&ss.tmp}, off, n); err != nil {
			return out, err
		}
		return append(out, ss.tmp...), nil
	}
	ss.out = out
	if err := ss.flush(true); err != nil {
		return nil, err
	}
	if err := ss.msg.WriteSection(ss.w, off, n); err != nil {
		return nil, err
	}
	return ss.out[:0], nil
}

// sliceWriter writes into a slice of exactly the right length.
type sliceWriter struct{ b *[]byte }

func (w sliceWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}

var _ io.Writer = sliceWriter{}

// insertFlag returns flags with f added, sorted, in a new slice.
func insertFlag(flags []string, f string) []string {
	if hasFlag(flags, f) {
		return flags
	}
	out := append(append([]string(nil), flags...), f)
	slices.Sort(out)
	return out
}
