package starttls

// SMTP reply codes the machine acts on (RFC 5321 §4.2, RFC 3207 §4).
const (
	smtpReady   = 220 // greeting and STARTTLS go-ahead
	smtpOK      = 250 // EHLO accepted
	smtpClosing = 421 // service not available, closing
)

// parseSMTPLine splits one reply line into its code, whether more lines
// follow ("250-…") and the text after the separator. A reply line is three
// digits, the first 2 to 5 and the second 0 to 5, then SP, "-" or the end
// of the line (RFC 5321 §4.2, which lets a bare code stand alone).
func parseSMTPLine(lr *lineReader, line []byte) (code int, more bool, text []byte, err error) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' || line[2] < '0' || line[2] > '9' {
		return 0, false, nil, lr.errAt(0, "a reply code from 200 to 559")
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, false, nil, nil
	}
	switch line[3] {
	case ' ':
		return code, false, line[4:], nil
	case '-':
		return code, true, line[4:], nil
	}
	return 0, false, nil, lr.errAt(3, `SP or "-" after the reply code`)
}

// readSMTPReply reads one possibly multi-line reply; every line must carry
// the same code. For stepCapabilities a line after the first whose keyword
// is STARTTLS counts as the advertisement (RFC 3207 §4).
func readSMTPReply(lr *lineReader, maxLines int, s step) (ok, advertised bool, err error) {
	code := 0
	for n := 1; ; n++ {
		if n > maxLines {
			return false, false, ErrTooManyLines
		}
		line, err := lr.readLine()
		if err != nil {
			return false, false, err
		}
		c, more, text, err := parseSMTPLine(lr, line)
		if err != nil {
			return false, false, err
		}
		if n == 1 {
			code = c
		} else if c != code {
			return false, false, lr.errAt(0, "the same reply code on every line")
		}
		if s == stepCapabilities && n > 1 && equalFoldASCII(firstWord(text), "STARTTLS") {
			advertised = true
		}
		if !more {
			break
		}
	}
	switch {
	case code == smtpClosing:
		return false, false, ErrServerClosing
	case s == stepGreeting && code != smtpReady:
		return false, false, ErrGreeting
	case s == stepCapabilities:
		return code == smtpOK, advertised && code == smtpOK, nil
	}
	return code == smtpReady, false, nil
}
