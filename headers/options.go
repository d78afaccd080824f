package headers

// Limits used when the matching [Options] field is 0.
const (
	// DefaultMaxLineLength is the RFC 5322 §2.1.1 limit: 998 octets
	// on a line, its CRLF not counted.
	DefaultMaxLineLength = 998
	// DefaultMaxFields bounds the fields of one block. RFC 5322 sets no
	// limit; 1000 is ten times the Received count at which RFC 5321 §6.3
	// lets a server call a message looping.
	DefaultMaxFields = 1000
	// DefaultMaxHeaderBytes bounds the block, blank line included. RFC 5322
	// sets no limit; 256 KiB is above Postfix's header_size_limit (100 KiB).
	DefaultMaxHeaderBytes = 256 << 10
)

// Options are the limits of a parse and the defects it repairs instead of
// failing. The zero value is strict with the default limits.
type Options struct {
	MaxLineLength  int    // octets per line, CRLF excluded; 0: DefaultMaxLineLength
	MaxFields      int    // fields per block; 0: DefaultMaxFields
	MaxHeaderBytes int    // octets in the block; 0: DefaultMaxHeaderBytes
	Repair         Defect // defects accepted, reported on the field and repaired on write
}

func (o Options) resolved() Options {
	if o.MaxLineLength <= 0 {
		o.MaxLineLength = DefaultMaxLineLength
	}
	if o.MaxFields <= 0 {
		o.MaxFields = DefaultMaxFields
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return o
}

// Defect is a set of syntax faults, each matching one sentinel error.
type Defect uint8

// The defects. A field with DefectNoColon, DefectFieldName or
// DefectLeadingContinuation has no usable name and is dropped on write; the
// others are repaired as their sentinel's documentation says.
const (
	DefectNUL Defect = 1 << iota
	DefectBareCR
	DefectBareLF
	DefectNoColon
	DefectFieldName
	DefectSpaceBeforeColon
	DefectLeadingContinuation

	// AllDefects repairs everything repairable.
	AllDefects = DefectNUL | DefectBareCR | DefectBareLF | DefectNoColon |
		DefectFieldName | DefectSpaceBeforeColon | DefectLeadingContinuation

	dropDefects = DefectNoColon | DefectFieldName | DefectLeadingContinuation
)

var defectErrors = [...]error{
	ErrNUL, ErrBareCR, ErrBareLF, ErrNoColon, ErrFieldName,
	ErrSpaceBeforeColon, ErrLeadingContinuation,
}

// Err returns the sentinel of the lowest defect in d, or nil if d is empty.
func (d Defect) Err() error {
	for i, err := range defectErrors {
		if d&(1<<i) != 0 {
			return err
		}
	}
	return nil
}
