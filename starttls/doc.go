// Package starttls drives the STARTTLS upgrade (and implicit TLS) for SMTP,
// POP3 and IMAP with one state machine that fails closed.
package starttls
