// Package tlspolicy describes how much TLS a mail connection needs: ordered
// security levels, transports, MTA-STS (RFC 8461), DANE (RFC 7672),
// REQUIRETLS (RFC 8689) and TLSRPT result types (RFC 8460).
package tlspolicy
