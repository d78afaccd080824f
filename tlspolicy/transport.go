package tlspolicy

import "strconv"

// Transport is how TLS starts on a connection (RFC 8314).
type Transport int

// The transports.
const (
	// TransportPlain: no TLS is ever negotiated.
	TransportPlain Transport = iota
	// TransportSTARTTLS: the connection starts in plaintext and is upgraded
	// by STARTTLS (SMTP, IMAP) or STLS (POP3).
	TransportSTARTTLS
	// TransportImplicit: TLS starts at connect (ports 465, 993, 995).
	TransportImplicit
)

var transportNames = [...]string{
	TransportPlain:    "plain",
	TransportSTARTTLS: "starttls",
	TransportImplicit: "implicit",
}

// valid reports whether t is one of the defined transports.
func (t Transport) valid() bool { return t >= TransportPlain && t <= TransportImplicit }

// String returns "plain", "starttls" or "implicit", or "Transport(n)" for
// an undefined value.
func (t Transport) String() string {
	if !t.valid() {
		return "Transport(" + strconv.Itoa(int(t)) + ")"
	}
	return transportNames[t]
}
