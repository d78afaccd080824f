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
	// Four letters: fold to upper case and compare as one word.
	switch uint32(upper(w[0]))<<24 | uint32(upper(w[1]))<<16 | uint32(upper(w[2]))<<8 | uint32(upper(w[3])) {
	case 'E'<<24 | 'H'<<16 | 'L'<<8 | 'O':
		return VerbEHLO
	case 'H'<<24 | 'E'<<16 | 'L'<<8 | 'O':
		return VerbHELO
	case 'M'<<24 | 'A'<<16 | 'I'<<8 | 'L':
		return VerbMAIL
	case 'R'<<24 | 'C'<<16 | 'P'<<8 | 'T':
		return VerbRCPT
	case 'D'<<24 | 'A'<<16 | 'T'<<8 | 'A':
		return VerbDATA
	case 'B'<<24 | 'D'<<16 | 'A'<<8 | 'T':
		return VerbBDAT
	case 'R'<<24 | 'S'<<16 | 'E'<<8 | 'T':
		return VerbRSET
	case 'N'<<24 | 'O'<<16 | 'O'<<8 | 'P':
		return VerbNOOP
	case 'Q'<<24 | 'U'<<16 | 'I'<<8 | 'T':
		return VerbQUIT
	case 'V'<<24 | 'R'<<16 | 'F'<<8 | 'Y':
		return VerbVRFY
	case 'E'<<24 | 'X'<<16 | 'P'<<8 | 'N':
		return VerbEXPN
	case 'H'<<24 | 'E'<<16 | 'L'<<8 | 'P':
		return VerbHELP
	case 'A'<<24 | 'U'<<16 | 'T'<<8 | 'H':
		return VerbAUTH
	case 'L'<<24 | 'H'<<16 | 'L'<<8 | 'O':
		return VerbLHLO
	}
	return VerbUnknown
}
