package starttls

// parsePOP3Status reports whether a status line is "+OK" (true) or "-ERR"
// (false), each alone or followed by SP and text (RFC 1939 §3).
func parsePOP3Status(lr *lineReader, line []byte) (bool, error) {
	switch {
	case hasWord(line, "+OK"):
		return true, nil
	case hasWord(line, "-ERR"):
		return false, nil
	}
	return false, lr.errAt(0, `"+OK" or "-ERR"`)
}

// readPOP3Reply reads a status line and, after a positive CAPA answer, the
// capability list up to its "." line (RFC 2449 §5), where a line whose
// first word is STLS is the advertisement (RFC 2595 §4).
func readPOP3Reply(lr *lineReader, maxLines int, s step) (ok, advertised bool, err error) {
	line, err := lr.readLine()
	if err != nil {
		return false, false, err
	}
	if ok, err = parsePOP3Status(lr, line); err != nil {
		return false, false, err
	}
	if s == stepGreeting && !ok {
		return false, false, ErrGreeting
	}
	if s != stepCapabilities || !ok {
		return ok, false, nil
	}
	for n := 1; ; n++ {
		if n > maxLines {
			return false, false, ErrTooManyLines
		}
		line, err := lr.readLine()
		if err != nil {
			return false, false, err
		}
		if len(line) == 1 && line[0] == '.' {
			return true, advertised, nil
		}
		if equalFoldASCII(firstWord(line), "STLS") {
			advertised = true
		}
	}
}
