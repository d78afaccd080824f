package smtpwire

// ParseHello checks the argument of EHLO or HELO, a domain or an address
// literal, and returns it. As in ParseMailFrom, an IDN domain (non-ASCII or
// with an "xn--" label) is checked with golang.org/x/net/idna and an IPv6
// literal with net/netip, which allocate; other arguments do not.
func ParseHello(args []byte) ([]byte, error) {
	if !validDomain(args, true, DefaultMaxDomain) {
		return nil, syntaxError(ErrArguments, 0, "a domain or address literal", stArguments)
	}
	return args, nil
}

// maxChunkDigits bounds the BDAT chunk-size: 20 digits hold any uint64.
const maxChunkDigits = 20

// ParseBDAT parses the argument of BDAT: chunk-size [SP "LAST"]. A size
// that is not a number is ErrChunkSize, which is fatal: the chunk's length
// is unknown. Any other error is ErrArguments with size valid: the caller
// must still consume the chunk (ChunkReader.Discard) before replying.
func ParseBDAT(args []byte) (size uint64, last bool, err error) {
	n := 0
	for n < len(args) && isDigit(args[n]) {
		n++
	}
	size, ok := parseUint(args[:n], maxChunkDigits)
	if !ok {
		return 0, false, syntaxError(ErrChunkSize, n, "a chunk size", stChunkSize)
	}
	switch rest := args[n:]; {
	case len(rest) == 0:
		return size, false, nil
	case len(rest) == 5 && rest[0] == ' ' && equalFold(rest[1:], "LAST"):
		return size, true, nil
	}
	return size, false, syntaxError(ErrArguments, n, `end of line or " LAST"`, stArguments)
}

// ParseAuth parses the argument of AUTH: a SASL mechanism name (RFC 4422:
// 1 to 20 of A-Z, 0-9, "-", "_") and an optional initial response, which is
// returned still encoded (base64, or "=" for empty); see DecodeSASL.
func ParseAuth(args []byte) (mechanism, initial []byte, err error) {
	n := 0
	for n < len(args) && args[n] != ' ' {
		n++
	}
	if !validMechanism(args[:n]) {
		return nil, nil, syntaxError(ErrArguments, 0, "a SASL mechanism name", stArguments)
	}
	if n == len(args) {
		return args, nil, nil
	}
	initial = args[n+1:]
	if len(initial) == 0 {
		return nil, nil, syntaxError(ErrArguments, n+1, "an initial response", stArguments)
	}
	return args[:n], initial, nil
}

// validMechanism: 1 to 20 of A-Z, 0-9, "-", "_" (RFC 4422 §3.1; any case
// is accepted on input).
func validMechanism[T string | []byte](m T) bool {
	if len(m) == 0 || len(m) > 20 {
		return false
	}
	for i := range len(m) {
		if c := upper(m[i]); !('A' <= c && c <= 'Z') && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
