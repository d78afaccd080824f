// Package headers parses an RFC 5322 header block into fields without
// allocating, and sanitizes it so that a message leaving a privacy-minded
// service does not reveal the sender's machine.
package headers
