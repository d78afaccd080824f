package pop3d

import (
	"bufio"
	"io"
	"strconv"

	"github.com/mailwire/mailwire/pop3"
)

// transaction handles the TRANSACTION state.
func (ss *session) transaction(cmd pop3.Command) {
	switch cmd.Verb {
	case pop3.VerbSTAT:
		n, size := ss.stat()
		ss.out = pop3.AppendStat(ss.out, n, size)
	case pop3.VerbLIST:
		if cmd.Msg != 0 {
			if i, ok := ss.index(cmd.Msg); ok {
				ss.out = pop3.AppendScanOK(ss.out, pop3.Scan{Msg: cmd.Msg, Size: ss.msgs[i].Size})
			}
			return
		}
		n, size := ss.stat()
		ss.okCount("", n, size)
		for i, m := range ss.msgs {
			if !ss.deleted[i] {
				ss.out = pop3.AppendScan(ss.out, pop3.Scan{Msg: i + 1, Size: m.Size})
				ss.spill()
			}
		}
		ss.out = pop3.AppendEnd(ss.out)
	case pop3.VerbUIDL:
		if cmd.Msg != 0 {
			if i, ok := ss.index(cmd.Msg); ok {
				ss.out, _ = pop3.AppendUIDOK(ss.out, cmd.Msg, ss.drop.UIDL(i))
			}
			return
		}
		ss.ok("unique-id listing follows")
		for i := range ss.msgs {
			if !ss.deleted[i] {
				ss.out, _ = pop3.AppendUID(ss.out, i+1, ss.drop.UIDL(i))
				ss.spill()
			}
		}
		ss.out = pop3.AppendEnd(ss.out)
	case pop3.VerbRETR:
		if i, ok := ss.index(cmd.Msg); ok {
			ss.send(i, -1)
		}
	case pop3.VerbTOP:
		if i, ok := ss.index(cmd.Msg); ok {
			ss.send(i, cmd.Lines)
		}
	case pop3.VerbDELE:
		if i, ok := ss.index(cmd.Msg); ok {
			ss.deleted[i] = true
			ss.okNum("message ", int64(cmd.Msg), " deleted")
		}
	case pop3.VerbRSET:
		clear(ss.deleted)
		n, size := ss.stat()
		ss.okCount("maildrop has ", n, size)
	case pop3.VerbNOOP:
		ss.ok("")
	case pop3.VerbSTLS:
		ss.errc("", "STLS only before login")
	case pop3.VerbUSER, pop3.VerbPASS, pop3.VerbAUTH, pop3.VerbAPOP:
		ss.errc("", "already logged in")
	default:
		ss.out = pop3.AppendReply(ss.out, pop3.ReplyOf(pop3.ErrUnknownCommand))
	}
}

// okCount appends "+OK <prefix>N messages (S octets)" without allocating.
func (ss *session) okCount(prefix string, n int, size int64) {
	ss.tmp = strconv.AppendInt(append(ss.tmp[:0], prefix...), int64(n), 10)
	ss.tmp = strconv.AppendInt(append(ss.tmp, " messages ("...), size, 10)
	ss.out, _ = pop3.AppendOK(ss.out, "", append(ss.tmp, " octets)"...))
}

// okNum appends "+OK <before>N<after>" without allocating.
func (ss *session) okNum(before string, n int64, after string) {
	ss.tmp = strconv.AppendInt(append(ss.tmp[:0], before...), n, 10)
	ss.out, _ = pop3.AppendOK(ss.out, "", append(ss.tmp, after...))
}

// spill moves long listings to the writer as they grow.
func (ss *session) spill() {
	if len(ss.out) >= 4096 {
		ss.w.Write(ss.out)
		ss.out = ss.out[:0]
	}
}

// index maps a message number to an index, answering -ERR for a message
// that does not exist or is deleted.
func (ss *session) index(msg int) (int, bool) {
	i := msg - 1
	if i < 0 || i >= len(ss.msgs) {
		ss.errc("", "no such message")
		return 0, false
	}
	if ss.deleted[i] {
		ss.tmp = strconv.AppendInt(append(ss.tmp[:0], "message "...), int64(msg), 10)
		ss.out, _ = pop3.AppendErr(ss.out, "", append(ss.tmp, " already deleted"...))
		return 0, false
	}
	return i, true
}

// send answers RETR (lines < 0) or TOP: the "+OK", then the message (or its
// header and the first lines of its body) dot-stuffed from the file.
func (ss *session) send(i, lines int) {
	f, err := ss.drop.Open(i)
	if err != nil {
		ss.errc(pop3.CodeSysTemp, "message unavailable")
		ss.log.Error("open message", "user", ss.name, "err", err)
		return
	}
	defer f.Close()
	if lines < 0 {
		ss.okNum("", ss.msgs[i].Size, " octets")
	} else {
		ss.ok("top of message follows")
	}
	ss.w.Write(ss.out)
	ss.out = ss.out[:0]
	if ss.body == nil {
		ss.body = pop3.NewBodyWriter(ss.w)
		ss.buf = make([]byte, copyBuf)
	} else {
		ss.body.Reset(ss.w)
	}
	if lines < 0 {
		err = copyAll(ss.body, f, ss.buf)
	} else {
		if ss.br == nil {
			ss.br = bufio.NewReaderSize(f, copyBuf)
		} else {
			ss.br.Reset(f)
		}
		err = copyTop(ss.body, ss.br, lines)
		ss.br.Reset(nil)
	}
	if err == nil {
		err = ss.body.Close()
	}
	if err != nil {
		// The body is broken on the wire: the session cannot go on.
		ss.log.Error("send message", "user", ss.name, "err", err)
		ss.conn.Close()
	}
}

// copyAll copies r to w through buf (io.CopyBuffer would take the
// *os.File's WriteTo path and allocate).
func copyAll(w io.Writer, r io.Reader, buf []byte) error {
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// copyTop writes the header, the empty line after it and then at most n
// lines of the body, from br.
func copyTop(w io.Writer, br *bufio.Reader, n int) error {
	inHeader, lineStart := true, true
	for {
		if !inHeader && n == 0 && lineStart {
			return nil
		}
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if _, werr := w.Write(chunk); werr != nil {
				return werr
			}
			ended := chunk[len(chunk)-1] == '\n'
			if ended {
				if inHeader && lineStart && (len(chunk) == 2 && chunk[0] == '\r' || len(chunk) == 1) {
					inHeader = false
				} else if !inHeader {
					n--
				}
			}
			lineStart = ended
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
