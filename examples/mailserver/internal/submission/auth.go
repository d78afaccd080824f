package submission

import (
	"bytes"
	"time"

	"github.com/mailwire/mailwire/smtpwire"
)

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
		s.refuseErr(err)
		return
	}
	// mech and initial are views into the command line, which the reads of
	// the SASL exchange overwrite: the log gets the mechanism's constant
	// name, chosen before any read.
	var name, pass, authz, mechanism string
	switch {
	case bytes.EqualFold(mech, []byte("PLAIN")):
		mechanism = "PLAIN"
		msg, ok := s.saslStep(initial, nil)
		if !ok {
			return
		}
		p, err := smtpwire.ParsePlain(msg)
		if err != nil {
			clear(msg)
			s.refuseErr(err)
			return
		}
		name, pass, authz = string(p.Authcid), string(p.Password), string(p.Authzid)
		clear(msg)
	case bytes.EqualFold(mech, []byte("LOGIN")):
		mechanism = "LOGIN"
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
		clear(p)
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
	s.log.Info("auth", "user", u.Name, "mechanism", mechanism)
	s.reply(235, code(2, 7, 0), "authentication successful")
}

// saslStep returns the decoded response (smtpwire.DecodeSASL): the
// initial one when present (initial non-nil), else one read after a 334
// challenge. The data is in s.scratch: valid until the next saslStep, and
// cleared by the caller once used. A refusal is answered from the
// library's typed error (StatusOf): "*" is 501 5.0.0, bad base64 501 5.5.2.
func (s *session) saslStep(initial, challenge []byte) ([]byte, bool) {
	line := initial
	if line == nil {
		s.out = smtpwire.AppendAuthChallenge(s.out, challenge)
		s.flush()
		_ = s.conn.SetReadDeadline(time.Now().Add(s.cfg.Idle))
		var err error
		line, err = s.r.ReadAuthResponse()
		if err != nil {
			st := smtpwire.StatusOf(err)
			if st.Code == 0 {
				s.closing = true
				return nil, false
			}
			s.refuseErr(err)
			return nil, false
		}
	}
	msg, err := smtpwire.DecodeSASL(s.scratch[:0], line)
	if err != nil {
		s.refuseErr(err)
		return nil, false
	}
	s.scratch = msg
	return msg, true
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
