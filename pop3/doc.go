// Package pop3 reads and writes the POP3 wire protocol (RFC 1939, 2449,
// 2595, 5034, 6856): commands, +OK/-ERR responses with extended codes, CAPA
// listings and dot-stuffed multi-line bodies.
package pop3
