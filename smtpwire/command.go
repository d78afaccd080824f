package smtpwire

import "bytes"

// Verb is an SMTP command verb.
type Verb uint8

// The verbs a server recognizes. Anything else is VerbUnknown, which the
// readers report with ErrUnknownCommand.
const (
	VerbUnknown Verb = iota
	VerbEHLO
	VerbHELO
	VerbMAIL
	VerbRCPT
	VerbDATA
	VerbBDAT
	VerbRSET
	VerbNOOP
	VerbQUIT
	VerbVRFY
	VerbEXPN
	VerbHELP
	VerbSTARTTLS
	VerbAUTH
	VerbLHLO    // LMTP's EHLO (RFC 2033 §4.1); see CommandReaderOptions.LMTP
	VerbXCLIENT // Postfix XCLIENT; see ParseXCLIENT
	numVerbs
)

var verbNames = [...]string{
	VerbUnknown:  "",
	VerbEHLO:     "EHLO",
	VerbHELO:     "HELO",
	VerbMAIL:     "MAIL",
	VerbRCPT:     "RCPT",
	VerbDATA:     "DATA",
	VerbBDAT:     "BDAT",
	VerbRSET:     "RSET",
	VerbNOOP:     "NOOP",
	VerbQUIT:     "QUIT",
	VerbVRFY:     "VRFY",
	VerbEXPN:     "EXPN",
	VerbHELP:     "HELP",
	VerbSTARTTLS: "STARTTLS",
	VerbAUTH:     "AUTH",
	VerbLHLO:     "LHLO",
	VerbXCLIENT:  "XCLIENT",
}

// String returns the verb's wire name, "" for VerbUnknown.
func (v Verb) String() string {
	if int(v) < len(verbNames) {
		return verbNames[v]
	}
	return ""
}

// argument rules per verb
type argRule uint8

const (
	argNone     argRule = iota // nothing may follow the verb
	argOptional                // NOOP, HELP
	argRequired                // everything else
)

func (v Verb) argRule() argRule {
	switch v {
	case VerbDATA, VerbRSET, VerbQUIT, VerbSTARTTLS:
		return argNone
	case VerbNOOP, VerbHELP, VerbUnknown:
		return argOptional
	}
	return argRequired
}

// Command is one command line, split. Name and Args are views into the line
// it was parsed from: with [CommandReader] they are valid until the next
// call on the reader.
type Command struct {
	Verb Verb
	Name []byte // the verb as sent (any case); for VerbUnknown the word to report
	Args []byte // everything after the single SP that follows the verb, unchanged
}

// ParseCommand splits a command line (without its CRLF) into verb and
// arguments. The verb is matched case-insensitively and must be followed by
// one SP or the end of the line: "STARTTLSX" is VerbUnknown. Verbs that take
// no arguments (DATA, RSET, QUIT, STARTTLS) refuse any, even a trailing
// space; EHLO, HELO, MAIL, RCPT, BDAT, VRFY, EXPN and AUTH require some.
// Arguments are checked further by ParseMailFrom, ParseRcptTo, ParseBDAT,
// ParseAuth and ParseXCLIENT.
//
// A verb it does not know gives ErrUnknownCommand (500 5.5.1, not fatal)
// with Command still filled in (Verb is VerbUnknown, Name and Args are as
// sent), for a server that implements verbs of its own. It does not
// allocate unless it returns an error other than ErrUnknownCommand.
func ParseCommand(line []byte) (Command, error) {
	if v := parseCommandFast(line); v != VerbUnknown {
		return fastCommand(v, line), nil
	}
	return parseCommand(line)
}

// parseCommand is ParseCommand's general path.
func parseCommand(line []byte) (Command, error) {
	if len(line) == 0 {
		return Command{}, syntaxError(ErrEmptyLine, 0, "a command verb", stEmpty)
	}
	end := bytes.IndexByte(line, ' ')
	if end < 0 {
		end = len(line)
	}
	cmd := Command{Verb: lookupVerb(line[:end]), Name: line[:end]}
	if end == 0 {
		return Command{}, syntaxError(ErrEmptyLine, 0, "a command verb", stEmpty)
	}
	hasArgs := end < len(line)
	if hasArgs {
		cmd.Args = line[end+1:]
	}
	switch cmd.Verb.argRule() {
	case argNone:
		if hasArgs {
			return cmd, syntaxError(ErrArguments, end, "end of line", stArguments)
		}
	case argRequired:
		if len(cmd.Args) == 0 {
			return cmd, syntaxError(ErrArguments, len(line), "an argument", stArguments)
		}
	}
	if cmd.Verb == VerbUnknown {
		return cmd, errUnknownCommand
	}
	return cmd, nil
}

// errUnknownCommand is the one error for an unknown verb: made once, so
// that reading one allocates nothing.
var errUnknownCommand = &Error{Err: ErrUnknownCommand, Offset: 0, Expected: "a command this server knows", Status: stUnknown}

func lookupVerb(w []byte) Verb {
	if len(w) != 4 {
		switch {
		case len(w) == 8 && equalFold(w, "STARTTLS"):
			return VerbSTARTTLS
		case len(w) == 7 && equalFold(w, "XCLIENT"):
			return VerbXCLIENT
		}
		return VerbUnknown
	}
	return verb4(w[0], w[1], w[2], w[3])
}

// fold4 is the key of a four-letter verb: its octets, first in the high
// byte, each ORed with 0x20. For a letter that is its lower case, and the
// only octets that fold to a lower-case letter are that letter's two
// cases, so a key equal to a verb's means the same verb in any case.
func fold4(a, b, c, d byte) uint32 {
	return (uint32(a)<<24 | uint32(b)<<16 | uint32(c)<<8 | uint32(d)) | 0x20202020
}

// verb4 recognizes a four-letter verb, in any case.
func verb4(a, b, c, d byte) Verb {
	switch fold4(a, b, c, d) {
	case 'e'<<24 | 'h'<<16 | 'l'<<8 | 'o':
		return VerbEHLO
	case 'h'<<24 | 'e'<<16 | 'l'<<8 | 'o':
		return VerbHELO
	case 'm'<<24 | 'a'<<16 | 'i'<<8 | 'l':
		return VerbMAIL
	case 'r'<<24 | 'c'<<16 | 'p'<<8 | 't':
		return VerbRCPT
	case 'd'<<24 | 'a'<<16 | 't'<<8 | 'a':
		return VerbDATA
	case 'b'<<24 | 'd'<<16 | 'a'<<8 | 't':
		return VerbBDAT
	case 'r'<<24 | 's'<<16 | 'e'<<8 | 't':
		return VerbRSET
	case 'n'<<24 | 'o'<<16 | 'o'<<8 | 'p':
		return VerbNOOP
	case 'q'<<24 | 'u'<<16 | 'i'<<8 | 't':
		return VerbQUIT
	case 'v'<<24 | 'r'<<16 | 'f'<<8 | 'y':
		return VerbVRFY
	case 'e'<<24 | 'x'<<16 | 'p'<<8 | 'n':
		return VerbEXPN
	case 'h'<<24 | 'e'<<16 | 'l'<<8 | 'p':
		return VerbHELP
	case 'a'<<24 | 'u'<<16 | 't'<<8 | 'h':
		return VerbAUTH
	case 'l'<<24 | 'h'<<16 | 'l'<<8 | 'o':
		return VerbLHLO
	}
	return VerbUnknown
}

// parseCommandFast is ParseCommand for the common line: a known
// four-letter verb, alone or followed by one SP and the arguments its
// rule allows. It returns the verb, VerbUnknown for anything else, which
// ParseCommand then decides; for a known verb the Command ParseCommand
// returns, with a nil error, is fastCommand's. It returns no Command
// itself: one built in its frame and copied out costs more than the
// parse (a store-forwarding stall).
func parseCommandFast(line []byte) Verb {
	if len(line) < 4 {
		return VerbUnknown
	}
	v := verb4(line[0], line[1], line[2], line[3])
	rule := v.argRule()
	if len(line) == 4 {
		if rule == argRequired {
			return VerbUnknown
		}
		return v
	}
	if line[4] != ' ' || rule == argNone || (rule == argRequired && len(line) == 5) {
		return VerbUnknown
	}
	return v
}

// fastCommand is the Command of a line parseCommandFast took as v.
func fastCommand(v Verb, line []byte) Command {
	if len(line) == 4 {
		return Command{Verb: v, Name: line[:4]}
	}
	return Command{Verb: v, Name: line[:4], Args: line[5:]}
}
