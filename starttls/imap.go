package starttls

// The tags the client uses for its two IMAP commands.
const (
	imapCapabilityTag = "S1"
	imapStartTLSTag   = "S2"
)

// readIMAPReply reads an IMAP reply. The greeting is one untagged OK,
// PREAUTH or BYE line. Other replies are untagged lines ending with the
// tagged status line of the command (S1 for CAPABILITY, S2 for STARTTLS).
// Untagged OK, NO and BAD lines are read and dropped, [ALERT] included: the
// plaintext phase shows nothing to anyone. An untagged CAPABILITY that
// names STARTTLS counts as the advertisement only in the answer to
// CAPABILITY (RFC 9051 §6.2.1). Any other untagged data (EXISTS, FETCH with
// its literal, ...) and a continuation request "+" are syntax errors: none
// is valid before authentication, and following a literal would mean
// framing attacker bytes.
func readIMAPReply(lr *lineReader, maxLines int, s step) (ok, advertised bool, err error) {
	tag := imapCapabilityTag
	if s == stepGoAhead {
		tag = imapStartTLSTag
	}
	for n := 1; ; n++ {
		if n > maxLines {
			return false, false, ErrTooManyLines
		}
		line, err := lr.readLine()
		if err != nil {
			return false, false, err
		}
		if len(line) >= 2 && line[0] == '*' && line[1] == ' ' {
			kind := firstWord(line[2:])
			if s == stepGreeting {
				switch {
				case equalFoldASCII(kind, "OK"):
					return true, false, nil
				case equalFoldASCII(kind, "PREAUTH"):
					return false, false, ErrPreauth
				case equalFoldASCII(kind, "BYE"):
					return false, false, ErrGreeting
				}
				return false, false, lr.errAt(2, "OK, PREAUTH or BYE in the greeting")
			}
			switch {
			case equalFoldASCII(kind, "CAPABILITY"):
				if s == stepCapabilities && listsWord(line[2+len(kind):], "STARTTLS") {
					advertised = true
				}
			case equalFoldASCII(kind, "OK"), equalFoldASCII(kind, "NO"), equalFoldASCII(kind, "BAD"):
			case equalFoldASCII(kind, "BYE"):
				return false, false, ErrServerClosing
			default:
				return false, false, lr.errAt(2, "untagged OK, NO, BAD, BYE or CAPABILITY")
			}
			continue
		}
		if s == stepGreeting {
			return false, false, lr.errAt(0, `"* " starting the greeting`)
		}
		if len(line) <= len(tag) || string(line[:len(tag)]) != tag || line[len(tag)] != ' ' {
			return false, false, lr.errAt(0, "tag "+tag+" or an untagged response")
		}
		status := firstWord(line[len(tag)+1:])
		switch {
		case equalFoldASCII(status, "OK"):
			return true, advertised, nil
		case equalFoldASCII(status, "NO"), equalFoldASCII(status, "BAD"):
			return false, false, nil
		}
		return false, false, lr.errAt(len(tag)+1, "OK, NO or BAD after the tag")
	}
}
