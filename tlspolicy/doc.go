// Package tlspolicy describes how much TLS a mail connection needs: ordered
// security levels, transports, MTA-STS (RFC 8461), DANE (RFC 7672),
// REQUIRETLS (RFC 8689) and TLSRPT result types (RFC 8460).
//
// The parts, one file each:
//
//   - Level (level.go): none < may < encrypt < fingerprint < dane <
//     dane-only < verify < secure, ordered as Postfix orders them, with the
//     predicates Required, Opportunistic, MustVerify and DANEBased.
//   - Transport (transport.go): plain, STARTTLS, implicit TLS (RFC 8314).
//   - Policy (policy.go): a level, a transport and what the peer is checked
//     against; Validate, and TLSConfig for a crypto/tls client.
//   - MTA-STS: ParseMTASTS and ReadMTASTS (mtasts.go), AppendMTASTS
//     (mtasts_write.go), MatchMX and Decide (mtasts_match.go), and the
//     _mta-sts TXT record (mtasts_record.go). DNS, fetching the policy over
//     HTTPS and caching it are the caller's.
//   - DANE (dane.go): TLSA records, matching, and DANEVerifier, a
//     tls.Config.VerifyConnection hook. DNS lookups are the caller's.
//   - RFC 8689 (requiretls.go): ParseTLSRequired for the header field.
//   - Resolve (resolve.go): local level, MTA-STS, DANE, REQUIRETLS and
//     TLS-Required: No into one Decision for a delivery attempt.
//   - TLSRPT (tlsrpt.go): result and policy types, and ResultTypeOf to
//     classify a handshake or policy error.
//
// The package does no I/O of its own and starts no goroutines. It imports no
// other mailwire package; starttls imports it.
package tlspolicy
