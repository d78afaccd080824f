package starttls

import "strconv"

// State is where a connection stands in the upgrade. The only paths are
//
//	Plain → Requested → Handshaking → Secure
//	Plain → Handshaking → Secure              (implicit TLS)
//	Requested → Plain                         (STARTTLS refused, connection kept)
//	any but Secure → Failed                   (connection closed)
//
// Secure and Failed are final.
type State uint8

// The states.
const (
	// StatePlain: no TLS; nothing has been asked.
	StatePlain State = iota
	// StateRequested: STARTTLS was sent (client) or received (server); the
	// go-ahead is pending.
	StateRequested
	// StateHandshaking: the TLS handshake runs on the raw connection.
	StateHandshaking
	// StateSecure: the handshake completed; nothing from before it survives.
	StateSecure
	// StateFailed: the connection was closed by a failure.
	StateFailed
)

var stateNames = [...]string{
	StatePlain:       "plain",
	StateRequested:   "requested",
	StateHandshaking: "handshaking",
	StateSecure:      "secure",
	StateFailed:      "failed",
}

// String returns the lower-case name of the state.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}
