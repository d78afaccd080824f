package imapwire

// Limits bounds every dimension of input a [Reader] accepts. A zero field
// means the default of the side the Reader reads (see [ServerLimits] and
// [ClientLimits]). A limit that is hit is a typed error; [ReplyFor] tells
// whether the connection can go on.
type Limits struct {
	// MaxLine is the longest line, CRLF excluded, in octets. A line ends at
	// CRLF or at a literal header. RFC 2683 §3.2.1.5 asks servers to accept
	// at least 8000 octets and RFC 7162 §4 recommends 8192.
	MaxLine int
	// MaxMessage bounds the octets of one command or response held in the
	// buffer: its lines plus the literals taken inline. Streamed literals
	// do not count. The buffer grows on demand to at most twice
	// MaxMessage+MaxLine, so views of a whole message stay valid without
	// copying. Dovecot bounds the same sum with imap_max_line_length
	// (64 KiB).
	MaxMessage int
	// MaxInlineLiteral is the largest literal that may be taken into the
	// buffer ([Reader.Inline], and the strings inside ENVELOPE and
	// BODYSTRUCTURE). go-imap v2's server buffers at most 4096.
	MaxInlineLiteral int
	// MaxLiteral is the largest literal of any kind, streamed ones
	// included; a larger one is refused before its data is read, and a
	// refused non-synchronizing literal is drained only up to this size.
	MaxLiteral int64
	// MaxNonSyncLiteral is the largest non-synchronizing literal {n+}:
	// 4096 under LITERAL- (RFC 7888 §5) and IMAP4rev2 (RFC 9051 §4.3).
	// Set it to MaxLiteral to offer LITERAL+.
	MaxNonSyncLiteral int64
	// MaxLiterals is the number of literals one message may carry; mox
	// allows 1000 per command (the fix for CVE-2024-34055's class).
	MaxLiterals int
	// MaxLiteralTotal bounds the sum of the literal sizes of one message.
	MaxLiteralTotal int64
	// MaxDepth bounds the nesting of parenthesised lists and of search
	// keys (NOT, OR). Dovecot nests BODYSTRUCTURE up to 100 MIME levels
	// plus 10 lists, so a client needs more than a server.
	MaxDepth int
	// MaxTagLen is the longest tag; Stalwart allows 128.
	MaxTagLen int
}

// ServerLimits are the defaults of a server reading commands from the
// internet: 8 KiB lines, 64 KiB per command, literals taken inline up to
// 4 KiB, any literal up to 64 MiB (above Gmail's APPENDLIMIT of 35882577),
// non-synchronizing literals up to 4096 (LITERAL-), 1000 literals and
// 64 MiB of them per command, nesting 32, tags 128.
func ServerLimits() Limits {
	return Limits{
		MaxLine:           8192,
		MaxMessage:        64 << 10,
		MaxInlineLiteral:  4096,
		MaxLiteral:        64 << 20,
		MaxNonSyncLiteral: 4096,
		MaxLiterals:       1000,
		MaxLiteralTotal:   64 << 20,
		MaxDepth:          32,
		MaxTagLen:         128,
	}
}

// ClientLimits are the defaults of a client reading a server's responses:
// 64 KiB lines (a FETCH with a long ENVELOPE is one line), 256 KiB per
// response, header literals inline up to 64 KiB, streamed literals up to
// 1 GiB, nesting 110 (Dovecot's BODYSTRUCTURE bound), 10000 literals.
func ClientLimits() Limits {
	return Limits{
		MaxLine:           64 << 10,
		MaxMessage:        256 << 10,
		MaxInlineLiteral:  64 << 10,
		MaxLiteral:        1 << 30,
		MaxNonSyncLiteral: 0,
		MaxLiterals:       10000,
		MaxLiteralTotal:   1 << 30,
		MaxDepth:          110,
		MaxTagLen:         128,
	}
}

// withDefaults fills the zero fields of l from def.
func (l Limits) withDefaults(def Limits) Limits {
	pick := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	pick64 := func(v, d int64) int64 {
		if v <= 0 {
			return d
		}
		return v
	}
	l.MaxLine = pick(l.MaxLine, def.MaxLine)
	l.MaxMessage = max(pick(l.MaxMessage, def.MaxMessage), l.MaxLine)
	l.MaxInlineLiteral = min(pick(l.MaxInlineLiteral, def.MaxInlineLiteral), l.MaxMessage)
	l.MaxLiteral = pick64(l.MaxLiteral, def.MaxLiteral)
	l.MaxNonSyncLiteral = pick64(l.MaxNonSyncLiteral, def.MaxNonSyncLiteral)
	l.MaxLiterals = pick(l.MaxLiterals, def.MaxLiterals)
	l.MaxLiteralTotal = pick64(l.MaxLiteralTotal, def.MaxLiteralTotal)
	l.MaxDepth = pick(l.MaxDepth, def.MaxDepth)
	l.MaxTagLen = pick(l.MaxTagLen, def.MaxTagLen)
	return l
}
