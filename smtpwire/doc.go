// Package smtpwire reads and writes the SMTP wire protocol (RFC 5321 and
// its extensions): commands and ESMTP parameters on the server side, replies
// and EHLO capabilities on the client side, and DATA and BDAT bodies.
package smtpwire
