package imapd

import (
	"context"
	"crypto/tls"
	"errors"
	"time"

	"github.com/mailwire/mailwire/imapwire"
	"github.com/mailwire/mailwire/starttls"
)

// starttls upgrades through starttls.Server: bytes pipelined behind
// STARTTLS make it answer BYE and close; after the handshake the client
// starts again (nothing of the plaintext era is kept: it had no login).
func (ss *session) starttls(tag []byte) (bool, string) {
	if ss.tls == nil {
		ss.bad(tag, noCode, "TLS already active")
		return false, ""
	}
	if err := ss.flush(true); err != nil {
		return true, "write: " + err.Error()
	}
	ctx, cancel := context.WithTimeout(ss.ctx, 30*time.Second)
	defer cancel()
	tc, err := ss.tls.Upgrade(ctx, tag, ss.r)
	if err != nil {
		var se *starttls.Error
		if errors.As(err, &se) && !se.Fatal() {
			return false, "" // refusal written by Upgrade
		}
		ss.log.Info("starttls failed", "err", err)
		return true, "starttls: " + err.Error()
	}
	ss.conn, ss.secure = tc, true
	ss.w.Reset(tc)
	ss.log.Info("starttls", "version", tls.VersionName(tc.ConnectionState().Version))
	return false, ""
}

// plainAllowed: credentials may be sent on this connection.
func (ss *session) plainAllowed() bool { return ss.secure || !ss.srv.cfg.RequireTLS }

func (ss *session) loginCmd(c *imapwire.Cmd) {
	if !ss.plainAllowed() {
		ss.no(c.Tag, codeOnly(imapwire.CodePrivacyRequired), "LOGIN needs TLS: use STARTTLS first")
		return
	}
	ss.login(c.Tag, string(c.Login.User), string(c.Login.Password), "LOGIN")
}

// authenticate runs AUTHENTICATE PLAIN, with the initial response (SASL-IR)
// or after an empty challenge.
func (ss *session) authenticate(c *imapwire.Cmd) (bool, string) {
	tag := c.Tag
	if !ss.plainAllowed() {
		ss.no(tag, codeOnly(imapwire.CodePrivacyRequired), "AUTHENTICATE needs TLS: use STARTTLS first")
		return false, ""
	}
	if !eqFold(c.Authenticate.Mechanism, "PLAIN") {
		ss.no(tag, codeOnly(imapwire.CodeCannot), "unsupported mechanism")
		return false, ""
	}
	var buf [768]byte
	var msg []byte
	var err error
	if c.Authenticate.HasInitial {
		msg = append(buf[:0], c.Authenticate.Initial...) // the Decoder has decoded it
		clear(c.Authenticate.Initial)
	} else {
		ss.out = imapwire.AppendContinuationData(ss.out, nil)
		if err := ss.flush(true); err != nil {
			return true, "write: " + err.Error()
		}
		var line []byte
		line, err = ss.r.ReadAuthLine()
		if err == nil {
			msg, err = imapwire.DecodeSASL(buf[:0], line)
		}
	}
	defer clear(buf[:])
	if err != nil {
		rep := imapwire.ReplyFor(err)
		if rep.Cond == "" {
			return true, "read: " + err.Error()
		}
		if errors.Is(err, imapwire.ErrAuthCanceled) {
			ss.bad(tag, noCode, "AUTHENTICATE canceled")
		} else {
			ss.bad(tag, noCode, "malformed SASL response")
		}
		return rep.Fatal, ""
	}
	p, err := imapwire.ParsePlain(msg)
	if err != nil {
		ss.bad(tag, noCode, "malformed PLAIN message")
		return false, ""
	}
	if len(p.Authzid) > 0 && string(p.Authzid) != string(p.Authcid) {
		ss.fail(tag)
		return false, ""
	}
	ss.login(tag, string(p.Authcid), string(p.Password), "AUTHENTICATE")
	return false, ""
}

// login checks credentials and opens the user's folders.
func (ss *session) login(tag []byte, name, password, cmd string) {
	u, ok := ss.srv.cfg.Users.Authenticate(name, password)
	if !ok {
		ss.fail(tag)
		return
	}
	if f := ss.srv.cfg.AuthOK; f != nil {
		f(ss.ip)
	}
	acct, err := ss.srv.cfg.Store.OpenAccount(u.Name)
	if err != nil {
		ss.no(tag, codeOnly(imapwire.CodeUnavailable), "cannot open mailboxes")
		ss.log.Error("open account", "user", u.Name, "err", err)
		return
	}
	ss.user, ss.acct, ss.state = u.Name, acct, stateAuth
	ss.ok(tag, imapwire.Code{ID: imapwire.CodeCapability, Words: ss.appendCaps(ss.caps[:0])}, cmd+" completed")
	ss.log.Info("login", "user", u.Name)
}

// fail answers a failed login after the limiter's delay.
func (ss *session) fail(tag []byte) {
	ss.fails++
	if f := ss.srv.cfg.AuthFailed; f != nil {
		if d := f(ss.ip); d > 0 {
			ss.flush(true)
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ss.ctx.Done():
				t.Stop()
			}
		}
	}
	ss.no(tag, codeOnly(imapwire.CodeAuthenticationFailed), "invalid credentials")
	ss.log.Info("login failed")
}
