package imapwire

// CommandParts splits a command written by the command writers at its
// synchronizing literals: a client sends each part and, when Wait says
// so, reads the server's continuation request ("+") before the next part
// (RFC 9051 §4.3). A command without synchronizing literals is one part.
//
//	parts := imapwire.CommandParts(cmd)
//	for parts.Next() {
//		conn.Write(parts.Part())
//		if parts.Wait() {
//			// read the "+" continuation; a tagged NO or BAD ends the command
//		}
//	}
type CommandPartsCursor struct {
	b    []byte
	i    int // start of the next part
	scan int // where the search for the next literal resumes
	part []byte
	wait bool
}

// CommandParts returns a cursor over the parts of cmd.
func CommandParts(cmd []byte) CommandPartsCursor { return CommandPartsCursor{b: cmd} }

// Next moves to the next part; false when all were given.
func (c *CommandPartsCursor) Next() bool {
	if c.i >= len(c.b) {
		return false
	}
	b := c.b
	for j := c.scan; j < len(b); j++ {
		switch b[j] {
		case '"':
			e, _, ok := lexQuoted(b, j)
			if !ok {
				j = len(b)
				break
			}
			j = e
		case '~', '{':
			lit, e, ok := parseLiteralHeader(b, j, true)
			if !ok || e+2 > len(b) || b[e] != '\r' || b[e+1] != '\n' {
				continue
			}
			data := e + 2
			if lit.Size > uint64(len(b)-data) {
				j = len(b)
				break
			}
			if !lit.NonSync {
				c.part, c.wait = b[c.i:data], true
				c.i, c.scan = data, data+int(lit.Size)
				return true
			}
			j = data + int(lit.Size) - 1
		}
	}
	c.part, c.wait = b[c.i:], false
	c.i, c.scan = len(b), len(b)
	return true
}

// Part returns the current part, a view of the command.
func (c *CommandPartsCursor) Part() []byte { return c.part }

// Wait reports whether the server's continuation request must be read
// after sending the current part.
func (c *CommandPartsCursor) Wait() bool { return c.wait }
