package imapwire

// Quirks accept named deviations of real servers from the grammar. Each is
// off by default and has a fixture in quirks_test.go taken from the server
// it is named after; none of them changes what the encoder writes.
type Quirks struct {
	// TrailingSpace accepts one SP before the end of a line and before ")":
	// "* CAPABILITY IMAP4rev1 … UIDPLUS \r\n" from imap.exmail.qq.com
	// (go-imap #571, #594) and "* STATUS Inbox (MESSAGES 1) \r\n" from
	// Outlook.com (go-imap #540).
	TrailingSpace bool
	// MissingText accepts a status response without resp-text: "* BYE\r\n"
	// from iCloud (ruby/net-imap PR #230) and "* OK [HIGHESTMODSEQ 5]\r\n"
	// from Gmail (RFC 7162 errata 5055).
	MissingText bool
	// EmptyContinuation accepts "+\r\n", a continuation request without SP
	// and text, from public-inbox-imapd and Dovecot's AUTHENTICATE
	// (modern-email/defects #7).
	EmptyContinuation bool
	// NegativeSize reads -1 in a BODYSTRUCTURE size or line count as 0:
	// Dovecot and Exchange send it for broken parts (go-imap #534,
	// modern-email/defects #27).
	NegativeSize bool
}
