package pop3

// Verb is a POP3 command.
type Verb uint8

// Verbs of RFC 1939 (USER…UIDL, APOP), RFC 2449 (CAPA), RFC 2595 (STLS),
// RFC 5034 (AUTH) and RFC 6856 (UTF8, LANG).
const (
	VerbUnknown Verb = iota
	VerbUSER
	VerbPASS
	VerbAPOP
	VerbSTAT
	VerbLIST
	VerbRETR
	VerbDELE
	VerbNOOP
	VerbRSET
	VerbQUIT
	VerbTOP
	VerbUIDL
	VerbCAPA
	VerbSTLS
	VerbAUTH
	VerbUTF8
	VerbLANG
	numVerbs
)

var verbNames = [numVerbs]string{"", "USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE",
	"NOOP", "RSET", "QUIT", "TOP", "UIDL", "CAPA", "STLS", "AUTH", "UTF8", "LANG"}

// String returns the verb's name in upper case, or "" for VerbUnknown.
func (v Verb) String() string {
	if v < numVerbs {
		return verbNames[v]
	}
	return ""
}

// argRule is the argument grammar of a verb.
type argRule uint8

const (
	argsNone     argRule = iota // STAT NOOP RSET QUIT CAPA STLS UTF8
	argsMessage                 // RETR DELE: msg
	argsOptional                // LIST UIDL: [msg]
	argsTop                     // TOP: msg n
	argsWord                    // USER: one word
	argsRest                    // PASS: the rest of the line, spaces kept
	argsAPOP                    // APOP: name digest
	argsAuth                    // AUTH: [mechanism [initial-response]]
	argsLang                    // LANG: [language-range]
	argsAny                     // unknown verbs: not checked
)

var argRules = [numVerbs]argRule{
	VerbUnknown: argsAny, VerbUSER: argsWord, VerbPASS: argsRest, VerbAPOP: argsAPOP,
	VerbSTAT: argsNone, VerbLIST: argsOptional, VerbRETR: argsMessage, VerbDELE: argsMessage,
	VerbNOOP: argsNone, VerbRSET: argsNone, VerbQUIT: argsNone, VerbTOP: argsTop,
	VerbUIDL: argsOptional, VerbCAPA: argsNone, VerbSTLS: argsNone, VerbAUTH: argsAuth,
	VerbUTF8: argsNone, VerbLANG: argsLang,
}

// maxVerbLen bounds a command name, known or not (XCLIENT, say).
const maxVerbLen = 16

// Command is one parsed command line. Its byte slices are views into the
// line it was parsed from (for a CommandReader: valid until the next call).
type Command struct {
	Verb Verb
	// Name is the command name as sent; for VerbUnknown the way to tell
	// what it was.
	Name []byte
	// Args is everything after the name and its space, untouched.
	Args []byte
	// Msg is the message number of RETR, DELE, TOP, and of LIST and UIDL
	// when given (0 when not: 0 is never a message number).
	Msg int
	// Lines is the line count of TOP (it may be 0).
	Lines int
	// Arg is the USER name, the PASS password (all of it, spaces kept),
	// the APOP name, the AUTH mechanism (empty for a bare "AUTH", which
	// asks for the mechanism list) or the LANG range (empty for "LANG").
	Arg []byte
	// Arg2 is the APOP digest (32 hexadecimal digits) or the AUTH initial
	// response, still base64 ("=" for an empty one; see DecodeSASL).
	Arg2 []byte
}

// ParseCommand splits a command line (without its CRLF) into a Command
// whose slices alias line. Command names are matched case-insensitively.
// A well-formed line whose name is no known verb gives an *Error matching
// ErrUnknownCommand, whose reply names the command, together with a
// Command of VerbUnknown with Name and Args set: a server that implements
// an extension (XCLIENT, say) takes it from there, any other answers
// ReplyOf(err). Arguments are separated by exactly one space (RFC 1939
// §3). It does not allocate unless it returns an error, which is an
// *Error.
func ParseCommand(line []byte) (Command, error) { return parseCommand(line, false) }

// parseCommand is ParseCommand; with bare it gives the sentinel
// ErrUnknownCommand itself, so that AppendCommand can check an extension
// command without allocating.
func parseCommand(line []byte, bare bool) (Command, error) {
	if len(line) == 0 {
		return Command{}, syntaxError(ErrEmptyLine, 0, "a command")
	}
	if i := indexControl(line); i >= 0 {
		return Command{}, syntaxError(ErrSyntax, i, "no control characters")
	}
	name, args, hasArgs := cut(line)
	if len(name) == 0 || len(name) > maxVerbLen {
		return Command{}, syntaxError(ErrSyntax, 0, "a command name")
	}
	for i, c := range name {
		if !isAlnum(c) {
			return Command{}, syntaxError(ErrSyntax, i, "a letter or digit")
		}
	}
	cmd := Command{Verb: lookupVerb(name), Name: name, Args: args}
	off := len(name) + 1
	if hasArgs && len(args) == 0 {
		return Command{}, syntaxError(ErrArguments, off, "an argument after the space")
	}
	var err error
	switch argRules[cmd.Verb] {
	case argsNone:
		if hasArgs {
			err = syntaxError(ErrArguments, off, "no arguments")
		}
	case argsMessage:
		cmd.Msg, err = messageArg(args, off)
	case argsOptional:
		if hasArgs {
			cmd.Msg, err = messageArg(args, off)
		}
	case argsTop:
		msg, n, _ := cut(args)
		if cmd.Msg, err = messageArg(msg, off); err == nil {
			cmd.Lines, err = lineCountArg(n, off+len(msg)+1)
		}
	case argsWord:
		cmd.Arg = args
		if !hasArgs || bytesIndexSpace(args) >= 0 {
			err = syntaxError(ErrArguments, off, "one argument")
		}
	case argsRest:
		cmd.Arg = args
		if !hasArgs {
			err = syntaxError(ErrArguments, off, "an argument")
		}
	case argsAPOP:
		cmd.Arg, cmd.Arg2, err = apopArgs(args, off)
	case argsAuth:
		cmd.Arg, cmd.Arg2, err = authArgs(args, off)
	case argsLang:
		cmd.Arg = args
		if bytesIndexSpace(args) >= 0 {
			err = syntaxError(ErrArguments, off, "one language range")
		}
	case argsAny:
		if bare {
			return cmd, ErrUnknownCommand
		}
		return cmd, unknownCommand(name)
	}
	if err != nil {
		return Command{}, err
	}
	return cmd, nil
}

// verbKeys holds each verb's name packed by verbKey.
var verbKeys = func() (keys [numVerbs]uint32) {
	for v := VerbUSER; v < numVerbs; v++ {
		keys[v] = verbKey([]byte(verbNames[v]))
	}
	return keys
}()

// verbKey packs a 3- or 4-letter name, upper-cased, into a uint32.
func verbKey(name []byte) uint32 {
	var k uint32
	for _, c := range name {
		k = k<<8 | uint32(upper(c))
	}
	return k
}

func lookupVerb(name []byte) Verb {
	if len(name) < 3 || len(name) > 4 {
		return VerbUnknown
	}
	k := verbKey(name)
	for v := VerbUSER; v < numVerbs; v++ {
		if verbKeys[v] == k {
			return v
		}
	}
	return VerbUnknown
}

// unknownCommand is the error for a command name no verb matches; its
// reply names it (ParseCommand checked it is letters and digits). It is
// kept out of line: inlined, it made every ParseCommand slower.
//
//go:noinline
func unknownCommand(name []byte) error {
	return &Error{Err: ErrUnknownCommand, Offset: 0, Expected: "a POP3 command",
		Reply: Reply{Text: replyUnknown.Text + ": " + string(name)}}
}

func bytesIndexSpace(b []byte) int {
	for i, c := range b {
		if c == ' ' {
			return i
		}
	}
	return -1
}

// messageArg parses the whole of b as a message number.
func messageArg(b []byte, off int) (int, error) {
	n, err := ParseMessageNumber(b)
	if err != nil {
		return 0, syntaxError(ErrMessageNumber, off, "a message number from 1 to 2147483647")
	}
	return n, nil
}

// lineCountArg parses TOP's line count, which may be 0.
func lineCountArg(b []byte, off int) (int, error) {
	n, ok := parseDecimal(b, MaxMessageNumber)
	if !ok {
		return 0, syntaxError(ErrArguments, off, "a line count")
	}
	return int(n), nil
}

// apopArgs splits "name digest"; the name is everything before the last
// space, the digest 32 hexadecimal digits (RFC 1939 §7).
func apopArgs(args []byte, off int) (name, digest []byte, err error) {
	sp := -1
	for i, c := range args {
		if c == ' ' {
			sp = i
		}
	}
	if sp <= 0 {
		return nil, nil, syntaxError(ErrArguments, off, "a name and a digest")
	}
	name, digest = args[:sp], args[sp+1:]
	if !isHexDigest(digest) {
		return nil, nil, syntaxError(ErrArguments, off+sp+1, "a 32-digit hexadecimal digest")
	}
	return name, digest, nil
}

func isHexDigest(b []byte) bool {
	if len(b) != 32 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// authArgs splits "[mechanism [initial-response]]" (RFC 5034 §4).
func authArgs(args []byte, off int) (mech, initial []byte, err error) {
	if len(args) == 0 {
		return nil, nil, nil
	}
	mech, initial, hasInitial := cut(args)
	if !ValidMechanism(mech) {
		return nil, nil, syntaxError(ErrArguments, off, "a SASL mechanism name")
	}
	if hasInitial && (len(initial) == 0 || bytesIndexSpace(initial) >= 0) {
		return nil, nil, syntaxError(ErrArguments, off+len(mech)+1, "one initial response")
	}
	return mech, initial, nil
}

// ValidMechanism reports whether m is a SASL mechanism name (RFC 4422
// §3.1): 1 to 20 upper-case letters, digits, hyphens and underscores.
// Lower-case letters are accepted too, as clients send them.
func ValidMechanism[T ~string | ~[]byte](m T) bool {
	if len(m) == 0 || len(m) > 20 {
		return false
	}
	for i := range len(m) {
		if c := m[i]; !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
