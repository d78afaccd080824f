package headers

import "bytes"

// ClientFields are fields mail clients and webmail add that name the
// sender's IP address, machine, operating system or software, dropped by
// [SubmissionRules].
var ClientFields = []string{
	"X-Originating-IP", "X-Originating-Client", "X-Sender-IP", "X-Client-IP",
	"X-Real-IP", "X-Forwarded-For", "X-Remote-Addr", "X-Remote-IP",
	"X-Mailer", "User-Agent", "X-Newsreader", "X-MimeOLE", "X-MSMail-Priority",
	"X-Enigmail", "X-Pgp-Agent", "X-Apple-Base-Url", "X-Universally-Unique-Identifier",
	"X-Uniform-Type-Identifier", "X-Apple-Mail-Remote-Attachments",
}

// Submission configures [SubmissionRules].
type Submission struct {
	// Domain is the service's domain, under which rewritten Message-IDs are
	// written.
	Domain string
	// Hosts are the service's own host names, as its Received fields give
	// them after "by"; see [StripReceived].
	Hosts []string
	// Secret keys the hash that replaces a rewritten Message-ID.
	Secret []byte
	// KeepMessageIDDomains are domains besides Domain whose Message-IDs
	// are kept (the user's own domains, say).
	KeepMessageIDDomains []string
}

// SubmissionRules returns the rules of a privacy-minded submission service:
// the client's IP address and host name cut out of the service's Received
// field and the client side's Received fields dropped ([StripReceived]),
// [ClientFields] dropped, a Message-ID naming the client's machine or
// provider rewritten under the service's domain ([RewriteMessageID]), the
// comment Apple Mail appends to MIME-Version (its version) removed, and
// every other field kept byte for byte.
func SubmissionRules(s Submission) []Rule {
	rules := []Rule{
		StripReceived(s.Hosts...),
		RewriteMessageID(s.Domain, s.Secret, s.KeepMessageIDDomains...),
		{Name: "MIME-Version", Action: Rewrite, Rewrite: appendBareMIMEVersion},
	}
	for _, name := range ClientFields {
		rules = append(rules, Rule{Name: name, Action: Drop})
	}
	return rules
}

// appendBareMIMEVersion writes "MIME-Version: 1.0 (Mac OS X Mail 16.0 …)"
// as "MIME-Version: 1.0", name case kept; a value without a comment, or
// one that does not start with the version, is kept.
func appendBareMIMEVersion(dst []byte, f Field) ([]byte, error) {
	v := f.Value
	if bytes.IndexByte(v, '(') < 0 {
		return append(dst, f.Raw...), nil
	}
	end := 0
	for end < len(v) && (v[end] == '.' || v[end] >= '0' && v[end] <= '9') {
		end++
	}
	if end == 0 {
		return append(dst, f.Raw...), nil
	}
	return AppendField(dst, f.Name, v[:end])
}
