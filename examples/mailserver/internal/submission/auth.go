package submission

import (
	"bytes"
	"encoding/base64"
	"errors"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/smtpwire"
)

// decodeSASL is the one base64 decode of SASL responses (RFC 4954 §4: "="
// is the empty response), appending to dst. It uses encoding/base64 so that
// it builds against smtpwire before and after issue 11 renames
// DecodeBase64 to the append-style DecodeSASL; then it becomes a call of
// that.
func decodeSASL(dst, src []byte) ([]byte, error) {
	if len(src) == 1 && src[0] == '=' {
		return dst, nil
	}
	return base64.StdEncoding.Strict().AppendDecode(dst, src)
}

// parsePlain is the one RFC 4616 split (users.ParsePlain until the
// library's ParsePlain lands).
func parsePlain(msg []byte) (authzid, authcid, password string, err error) {
	return users.ParsePlain(msg)
}

// auth runs AUTH PLAIN or AUTH LOGIN (RFC 4954, 4616, and the LOGIN draft).
func (s *session) auth(args []byte) {
	switch {
	case !s.authAllowed():
		s.refuse(530, code(5, 7, 0), "Must issue a STARTTLS command first")
		return
	case !s.ehlo:
		s.refuse(503, code(5, 5, 1), "EHLO first")
		return
	case s.user != nil:
		s.refuse(503, code(5, 5, 1), "already authenticated")
		return
	case s.mail:
		s.refuse(503, code(5, 5, 1), "AUTH not allowed in a transaction")
		return
	}
	mech, initial, err := smtpwire.ParseAuth(args)
	if err != nil {
		st := smtpwire.StatusOf(err)
		s.refuse(st.Code, st.Enhanced, st.Text)
		return
	}
	var name, pass, authz string
	switch {
	case bytes.EqualFold(mech, []byte("PLAIN")):
		msg, ok := s.saslStep(initial, nil)
		if !ok {
			return
		}
		z, authc, pw, err := parsePlain(msg)
		if err != nil {
			s.refuse(501, code(5, 5, 2), "malformed PLAIN response")
			return
		}
		name, pass, authz = authc, pw, z
	case bytes.EqualFold(mech, []byte("LOGIN")):
		u, ok := s.saslStep(initial, []byte("Username:"))
		if !ok {
			return
		}
		name = string(u)
		p, ok := s.saslStep(nil, []byte("Password:"))
		if !ok {
			return
		}
		pass = string(p)
	default:
		s.refuse(504, code(5, 5, 4), "mechanism not supported")
		return
	}
	u, ok := s.cfg.Users.Authenticate(name, pass)
	// An authorization identity other than the user's own would be a proxy
	// login, which this service does not offer (RFC 4616 §2).
	if ok && authz != "" && authz != name && authz != u.Name && authz != u.Address {
		ok = false
	}
	if !ok {
		s.authFailed(name)
		return
	}
	s.user = &u
	s.log.Info("auth", "user", u.Name, "mechanism", string(bytes.ToUpper(mech)))
	s.reply(235, code(2, 7, 0), "authentication successful")
}

// saslStep returns the decoded response: the initial one when present
// (initial non-nil), else one read after a 334 challenge.
func (s *session) saslStep(initial, challenge []byte) ([]byte, bool) {
	line := initial
	if line == nil {
		s.out = smtpwire.AppendAuthChallenge(s.out, challenge)
		s.flush()
		_ = s.conn.SetReadDeadline(time.Now().Add(s.cfg.Idle))
		var err error
		line, err = s.r.ReadAuthResponse()
		if err != nil {
			if errors.Is(err, smtpwire.ErrAuthCanceled) {
				s.refuse(501, code(5, 0, 0), "authentication canceled")
				return nil, false
			}
			st := smtpwire.StatusOf(err)
			if st.Code == 0 {
				s.closing = true
				return nil, false
			}
			s.refuse(st.Code, st.Enhanced, st.Text)
			s.closing = s.closing || st.Fatal
			return nil, false
		}
	}
	msg, err := decodeSASL(s.scratch[:0], line)
	if err != nil {
		s.refuse(501, code(5, 5, 2), "invalid base64")
		return nil, false
	}
	s.scratch = msg
	return append([]byte(nil), msg...), true
}

// authFailed logs a failed login and waits as the limits say before 535.
func (s *session) authFailed(name string) {
	s.log.Info("auth failed", "user", name)
	if s.cfg.AuthFailed != nil {
		if d := s.cfg.AuthFailed(s.ip); d > 0 {
			s.flush()
			time.Sleep(d)
		}
	}
	s.refuse(535, code(5, 7, 8), "authentication credentials invalid")
}
