package imapwire

// Untagged data responses without strings: CAPABILITY, ENABLED, FLAGS,
// EXISTS, RECENT, EXPUNGE, VANISHED and SEARCH. See the response writers'
// rules in respwrite.go.

// respStart starts "* name".
func respStart(dst []byte, name string) writer {
	return respStartEnc(Encoder{}, dst, name)
}

// respStartEnc starts "* name" for a writer of strings in e's mode. A
// server's literals are always synchronizing ({n}: RFC 7888 defines {n+}
// for clients only), so e.NonSync is ignored, and so is e.Side.
func respStartEnc(e Encoder, dst []byte, name string) writer {
	w := writer{e: Encoder{UTF8: e.UTF8}, b: dst, n: len(dst)}
	w.raw("* ")
	w.raw(name)
	return w
}

// AppendCapabilityData appends "* CAPABILITY name …" CRLF. Each name must
// be an atom (IMAP4rev1, AUTH=PLAIN, …); at least one is needed.
func AppendCapabilityData(dst []byte, caps [][]byte) ([]byte, error) {
	w := respStart(dst, "CAPABILITY")
	if len(caps) == 0 {
		w.fail(ErrInjection)
	}
	for _, c := range caps {
		w.sp()
		w.atom(c)
	}
	return w.finish()
}

// AppendEnabledData appends "* ENABLED name …" CRLF (RFC 5161): the
// capabilities an ENABLE turned on, atoms, possibly none.
func AppendEnabledData(dst []byte, caps [][]byte) ([]byte, error) {
	w := respStart(dst, "ENABLED")
	for _, c := range caps {
		w.sp()
		w.atom(c)
	}
	return w.finish()
}

// AppendFlagsData appends "* FLAGS (flag …)" CRLF, the flags defined in
// the mailbox: system flags (\Seen) and keyword atoms; \* is refused (it
// belongs in PERMANENTFLAGS).
func AppendFlagsData(dst []byte, flags [][]byte) ([]byte, error) {
	w := respStart(dst, "FLAGS ")
	w.flagList(flags)
	return w.finish()
}

// respNumber writes "* n name" CRLF.
func respNumber(dst []byte, n uint32, name string) []byte {
	dst = append(dst, '*', ' ')
	dst = AppendNumber(dst, uint64(n))
	dst = append(dst, ' ')
	dst = append(dst, name...)
	return append(dst, '\r', '\n')
}

// AppendExistsData appends "* n EXISTS" CRLF.
func AppendExistsData(dst []byte, n uint32) []byte { return respNumber(dst, n, "EXISTS") }

// AppendRecentData appends "* n RECENT" CRLF (RFC 3501; IMAP4rev2 has no
// RECENT).
func AppendRecentData(dst []byte, n uint32) []byte { return respNumber(dst, n, "RECENT") }

// AppendExpungeData appends "* seq EXPUNGE" CRLF; seq 0 fails with
// ErrInjection.
func AppendExpungeData(dst []byte, seq uint32) ([]byte, error) {
	if seq == 0 {
		return dst, ErrInjection
	}
	return respNumber(dst, seq, "EXPUNGE"), nil
}

// AppendVanishedData appends "* VANISHED [(EARLIER) ]uid-set" CRLF (RFC
// 7162 QRESYNC): the UIDs as a compact set (see AppendSeqSet), earlier
// for the answer to SELECT … QRESYNC or UID FETCH … VANISHED rather than
// a live expunge. An empty set fails with ErrInjection.
func AppendVanishedData(dst []byte, earlier bool, uids []uint32) ([]byte, error) {
	w := respStart(dst, "VANISHED ")
	if earlier {
		w.raw("(EARLIER) ")
	}
	w.seqSet(uids)
	return w.finish()
}

// AppendSearchData appends "* SEARCH n …" CRLF with the matching numbers
// (sequence numbers or UIDs, as the command asked), and "(MODSEQ m)" after
// them when modseq is not 0 and some matched (RFC 7162 §3.1.5). A zero
// number fails with ErrInjection.
func AppendSearchData(dst []byte, nums []uint32, modseq uint64) ([]byte, error) {
	w := respStart(dst, "SEARCH")
	for _, n := range nums {
		w.sp()
		w.nzNumber(uint64(n), maxNumber)
	}
	if modseq != 0 && len(nums) > 0 {
		w.raw(" (MODSEQ ")
		w.nzNumber(modseq, maxNumber64)
		w.byte1(')')
	}
	return w.finish()
}
