package headers

import (
	"io"
	"iter"

	"github.com/mailwire/mailwire/internal/mime"
)

// MIME structure (RFC 2045, RFC 2046): a message's part tree with the
// offsets of every header and body, found in one pass without allocating.
// The same walk serves imapwire's BODYSTRUCTURE and sections.

// MIMEPart is one node of a message's MIME tree: the message itself at
// index 0, each part of a multipart, and the message inside each
// message/rfc822 part. Its offsets are from the start of the message:
// the header is [Start, BodyStart), the body [BodyStart, End); Fields
// holds the value spans of its Content-* fields and Type and Subtype the
// media type's tokens. Parent, Child and Next link the tree by index.
type MIMEPart = mime.Part

// MIMEKind is what a part's Content-Type makes of it.
type MIMEKind = mime.Kind

// The kinds of MIME part.
const (
	MIMESingle    = mime.KindSingle    // a leaf that is not text/*
	MIMEText      = mime.KindText      // text/*, or no Content-Type
	MIMEMultipart = mime.KindMultipart // multipart/*
	MIMEMessage   = mime.KindMessage   // message/rfc822
)

// MIMEField names the Content-* fields a MIMEPart records.
type MIMEField = mime.Field

// The Content-* fields of a MIMEPart, by index into its Fields.
const (
	MIMEContentType        = mime.FieldType
	MIMETransferEncoding   = mime.FieldEncoding
	MIMEContentID          = mime.FieldID
	MIMEContentDescription = mime.FieldDescription
	MIMEContentDisposition = mime.FieldDisposition
	MIMEContentLanguage    = mime.FieldLanguage
	MIMEContentLocation    = mime.FieldLocation
	MIMEContentMD5         = mime.FieldMD5
)

// MIMESpan is a range [Off, End) of a message; End 0 means absent.
type MIMESpan = mime.Span

// Errors of the MIME walk.
var (
	ErrMIMETooDeep      = mime.ErrTooDeep      // parts nested deeper than the limit
	ErrMIMETooManyParts = mime.ErrTooManyParts // more parts than the table holds
)

// MIMEWalker splits messages into their MIME parts. Its state (about 11
// KiB: the open boundaries and a 4 KiB read window) is reused from walk to
// walk; the zero value is ready.
type MIMEWalker struct {
	w   mime.Walker
	src mime.Source
}

// Walk fills parts with the MIME tree of msg, in pre-order (a part before
// its children), and returns the filled prefix of parts. maxDepth bounds
// nesting (0: 64, also the maximum). The walk accepts any octets, as a
// mail store must: boundaries are found as line prefixes (the longest of
// the open ones), a header that a boundary interrupts ends there, and
// parts whose close delimiter is missing end with the message. It fails
// with ErrMIMETooManyParts when parts is too short and ErrMIMETooDeep.
func (w *MIMEWalker) Walk(msg []byte, parts []MIMEPart, maxDepth int) ([]MIMEPart, error) {
	w.src.ResetBytes(msg)
	n, err := w.w.Walk(&w.src, parts, mime.Limits{MaxDepth: maxDepth})
	return parts[:n], err
}

// WalkReaderAt is Walk over the size octets of ra, read through a 4 KiB
// window; it fails also with ra's error.
func (w *MIMEWalker) WalkReaderAt(ra io.ReaderAt, size int64, parts []MIMEPart, maxDepth int) ([]MIMEPart, error) {
	w.src.ResetReaderAt(ra, size)
	n, err := w.w.Walk(&w.src, parts, mime.Limits{MaxDepth: maxDepth})
	return parts[:n], err
}

// ParseMediaType splits a Content-Type value (as Field.Value holds it)
// into its type, subtype and the parameters that follow (from the first
// ";"); the views alias value. ok is false for a value without
// "type/subtype", which RFC 2045 §5.2 reads as text/plain.
func ParseMediaType(value []byte) (typ, subtype, params []byte, ok bool) {
	t, s, rest, ok := mime.ParseMediaType(value)
	if !ok {
		return nil, nil, nil, false
	}
	return value[t[0]:t[1]], value[s[0]:s[1]], value[rest:], true
}

// MIMEParams returns an iterator over the "; name=value" parameters in
// params (as ParseMediaType returns them, or a Content-Disposition value
// after its token): each name as written and its raw value, a token or a
// quoted string; AppendParamValue unquotes it. Malformed parameters are
// skipped. RFC 2231 continuations are yielded segment by segment.
func MIMEParams(params []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		it := mime.Params(params)
		for it.Next() {
			if !yield(it.Key(), it.RawValue()) {
				return
			}
		}
	}
}

// AppendParamValue appends a raw parameter value unquoted: quoted pairs
// resolved and the line ends of folds removed.
func AppendParamValue(dst, raw []byte) []byte { return mime.AppendValue(dst, raw, len(raw)) }
