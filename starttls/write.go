package starttls

// appendCapabilityCommand appends the command that lists the server's
// extensions: "EHLO hello", "CAPA" or "S1 CAPABILITY". hello must be valid
// (see validHello).
func (p Protocol) appendCapabilityCommand(dst []byte, hello string) []byte {
	switch p {
	case SMTP:
		dst = append(dst, "EHLO "...)
		dst = append(dst, hello...)
	case POP3:
		dst = append(dst, "CAPA"...)
	case IMAP:
		dst = append(dst, imapCapabilityTag+" CAPABILITY"...)
	}
	return append(dst, "\r\n"...)
}

// appendStartTLS appends the upgrade command: "STARTTLS", "STLS" or
// "S2 STARTTLS".
func (p Protocol) appendStartTLS(dst []byte) []byte {
	switch p {
	case SMTP:
		dst = append(dst, "STARTTLS"...)
	case POP3:
		dst = append(dst, "STLS"...)
	case IMAP:
		dst = append(dst, imapStartTLSTag+" STARTTLS"...)
	}
	return append(dst, "\r\n"...)
}

// appendGoAhead appends the server's go-ahead reply; tag is the IMAP
// command's tag and is ignored for SMTP and POP3.
func (p Protocol) appendGoAhead(dst, tag []byte) []byte {
	switch p {
	case SMTP:
		dst = append(dst, "220 2.0.0 Ready to start TLS"...)
	case POP3:
		dst = append(dst, "+OK Begin TLS negotiation"...)
	case IMAP:
		dst = append(dst, tag...)
		dst = append(dst, " OK Begin TLS negotiation now"...)
	}
	return append(dst, "\r\n"...)
}

// appendRefusal appends the reply a server sends when it cannot go ahead
// because of err: ErrAlreadySecure and ErrUnavailable keep the session,
// ErrCommandInjection ends it. Any other err appends nothing.
func (p Protocol) appendRefusal(dst, tag []byte, err error) []byte {
	var smtp, pop3, imap string
	switch err {
	case ErrAlreadySecure:
		smtp, pop3, imap = "503 5.5.1 TLS already active", "-ERR TLS already active", " BAD TLS already active"
	case ErrUnavailable:
		smtp, pop3, imap = "454 4.7.0 TLS not available due to temporary reason", "-ERR TLS not available", " NO TLS not available"
	case ErrCommandInjection:
		smtp, pop3, imap = "554 5.5.0 Error: pipelined data after STARTTLS", "-ERR pipelined data after STLS", "* BYE pipelined data after STARTTLS"
		tag = nil
	default:
		return dst
	}
	switch p {
	case SMTP:
		dst = append(dst, smtp...)
	case POP3:
		dst = append(dst, pop3...)
	case IMAP:
		dst = append(dst, tag...)
		dst = append(dst, imap...)
	}
	return append(dst, "\r\n"...)
}
