package imapwire

// AUTHENTICATE, ENABLE, ID, COMPRESS: the commands of the session itself.

// noBytes is an empty value that is not nil.
var noBytes = []byte{}

// maxIDParams is RFC 2971's bound on ID's field-value pairs.
const maxIDParams = 30

// authenticate reads "SP auth-type [SP (base64 / "=")]" (RFC 9051, SASL-IR
// RFC 4959) and decodes the initial response.
func (d *Decoder) authenticate(a *AuthenticateArgs) (err error) {
	r := d.r
	if err := r.SP(); err != nil {
		return err
	}
	if a.Mechanism, err = r.Atom(); err != nil {
		return r.expected("mechanism")
	}
	if !d.more() {
		return r.End()
	}
	ir, err := r.Atom()
	if err != nil || (len(ir) != 1 || ir[0] != '=') && !isBase64(ir) {
		return r.expected("base64 initial response or =")
	}
	n := len(d.scratch)
	out, err := DecodeSASL(d.scratch, ir)
	if err != nil {
		return r.expected("base64 initial response")
	}
	d.scratch = out
	a.Initial, a.HasInitial = d.scratch[n:len(d.scratch):len(d.scratch)], true
	if len(a.Initial) == 0 {
		a.Initial = noBytes
	}
	return r.End()
}

// enable reads "1*(SP capability)" (RFC 5161).
func (d *Decoder) enable(c *Cmd) error {
	r := d.r
	n := len(d.bufs)
	for {
		if err := r.SP(); err != nil {
			return err
		}
		a, err := r.Atom()
		if err != nil {
			return r.expected("capability")
		}
		d.bufs = append(d.bufs, a)
		if r.AtEnd() {
			c.Enable = d.bufs[n:len(d.bufs):len(d.bufs)]
			return r.End()
		}
	}
}

// id reads "SP ( "(" *(string SP nstring) ")" / NIL )" (RFC 2971), at most
// 30 pairs.
func (d *Decoder) id(c *Cmd) error {
	r := d.r
	if err := r.SP(); err != nil {
		return err
	}
	n := len(d.ids)
	if !r.Nil() {
		if !d.paren() {
			return r.expected("( or NIL")
		}
		for r.Peek() != ')' {
			if len(d.ids)-n == maxIDParams {
				return syntaxErr(ErrTooMany, r.offset(r.p), "at most 30 ID pairs")
			}
			if len(d.ids) > n {
				if err := r.SP(); err != nil {
					return err
				}
			}
			var p IDParam
			var err error
			if p.Field, err = d.value(r.String()); err != nil {
				return err
			}
			if err := r.SP(); err != nil {
				return err
			}
			t, err := r.NString()
			if p.Value, err = d.value(t, err); err != nil {
				return err
			}
			p.Nil = t.Kind == KindNil
			d.ids = append(d.ids, p)
			if r.Peek() != ' ' && r.Peek() != ')' {
				return r.expected("SP or )")
			}
		}
		r.p++
	}
	c.IDParams = d.ids[n:len(d.ids):len(d.ids)]
	return r.End()
}

// compress reads "SP algorithm" (RFC 4978).
func (d *Decoder) compress(c *Cmd) (err error) {
	r := d.r
	if err := r.SP(); err != nil {
		return err
	}
	if c.Compress, err = r.Atom(); err != nil {
		return r.expected("compression algorithm")
	}
	return r.End()
}
