package imapwire

// Cmd is a decoded command: its tag and name, and the arguments of the
// command its ID names in the field of that command (the others are
// zero). Byte slices are values, not wire forms: strings unescaped,
// literals' data, mailbox names in UTF-8. They alias the Reader's buffer
// or the Decoder's scratch and are valid until the next Decode.
//
// The same types are what the command writers (Encoder.Append…Command)
// take, so a client builds them by hand.
type Cmd struct {
	Command

	Login        LoginArgs        // LOGIN
	Authenticate AuthenticateArgs // AUTHENTICATE
	Select       SelectArgs       // SELECT, EXAMINE
	Create       CreateArgs       // CREATE
	Mailbox      []byte           // DELETE, SUBSCRIBE, UNSUBSCRIBE
	Rename       RenameArgs       // RENAME
	List         ListArgs         // LIST, LSUB (Reference and one pattern)
	Status       StatusArgs       // STATUS
	Append       AppendArgs       // APPEND: the mailbox and the current message
	Search       SearchArgs       // SEARCH, UID SEARCH
	Fetch        FetchArgs        // FETCH, UID FETCH
	Store        StoreArgs        // STORE, UID STORE
	Copy         CopyArgs         // COPY, MOVE and their UID forms
	Expunge      ExpungeArgs      // UID EXPUNGE
	Enable       [][]byte         // ENABLE: the capability names
	IDParams     []IDParam        // ID: the field-value pairs; none for NIL
	Compress     []byte           // COMPRESS: the mechanism, DEFLATE
}

// LoginArgs are LOGIN's user name and password.
type LoginArgs struct {
	User, Password []byte
}

// AuthenticateArgs are AUTHENTICATE's mechanism and its SASL-IR initial
// response (RFC 4959), base64-decoded; "=" is an empty one.
type AuthenticateArgs struct {
	Mechanism  []byte
	Initial    []byte
	HasInitial bool
}

// SelectArgs are SELECT's and EXAMINE's mailbox and parameters: CONDSTORE
// and QRESYNC (RFC 7162).
type SelectArgs struct {
	Mailbox   []byte
	CondStore bool // (CONDSTORE)
	QResync   bool // (QRESYNC (…)): the fields below are set
	// UIDValidity and ModSeq are QRESYNC's last known UIDVALIDITY and
	// HIGHESTMODSEQ.
	UIDValidity uint32
	ModSeq      uint64
	// KnownUIDs is the optional known-uids set; KnownSeqs and KnownSeqUIDs
	// the optional seq-match-data. Their Bytes are nil when absent.
	KnownUIDs, KnownSeqs, KnownSeqUIDs SeqSet
}

// CreateArgs are CREATE's mailbox and its special-use attributes (RFC
// 6154 "USE (…)").
type CreateArgs struct {
	Mailbox []byte
	HasUse  bool
	Use     [][]byte // the attributes, \Sent, \Archive …
}

// RenameArgs are RENAME's old and new names.
type RenameArgs struct {
	From, To []byte
}

// ListSelect are LIST's selection options (RFC 5258, RFC 6154).
type ListSelect uint8

// Selection options.
const (
	ListSelectSubscribed     ListSelect = 1 << iota // SUBSCRIBED
	ListSelectRemote                                // REMOTE
	ListSelectRecursiveMatch                        // RECURSIVEMATCH
	ListSelectSpecialUse                            // SPECIAL-USE
)

// ListReturn are LIST's return options (RFC 5258, RFC 5819, RFC 6154).
type ListReturn uint8

// Return options.
const (
	ListReturnSubscribed ListReturn = 1 << iota // SUBSCRIBED
	ListReturnChildren                          // CHILDREN
	ListReturnSpecialUse                        // SPECIAL-USE
	ListReturnStatus                            // STATUS (…): Status holds the items
)

// ListArgs are LIST's arguments (RFC 9051, LIST-EXTENDED RFC 5258) and
// LSUB's (one pattern, no options).
type ListArgs struct {
	HasSelect bool // a selection option list was given, even "()"
	Select    ListSelect
	Reference []byte
	// Patterns are the mailbox patterns, with their % and * wildcards:
	// one, or several in parentheses (Multiple).
	Patterns  [][]byte
	Multiple  bool
	HasReturn bool // RETURN (…) was given, even empty
	Return    ListReturn
	Status    []StatusAtt // the items of RETURN (STATUS (…))
}

// StatusAtt names a STATUS item (RFC 9051, RFC 3501 RECENT, RFC 7162
// HIGHESTMODSEQ, RFC 7889 APPENDLIMIT, RFC 8474 MAILBOXID, RFC 9208
// DELETED-STORAGE).
type StatusAtt uint8

// Status items.
const (
	StatusMessages StatusAtt = iota + 1
	StatusRecent
	StatusUIDNext
	StatusUIDValidity
	StatusUnseen
	StatusDeleted
	StatusSize
	StatusHighestModSeq
	StatusAppendLimit
	StatusMailboxID
	StatusDeletedStorage
)

var statusNames = [...]string{"", "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE",
	"HIGHESTMODSEQ", "APPENDLIMIT", "MAILBOXID", "DELETED-STORAGE"}

// String returns the item's name.
func (a StatusAtt) String() string {
	if a > 0 && int(a) < len(statusNames) {
		return statusNames[a]
	}
	return "UNKNOWN"
}

var statusIndex = newFoldIndex(uint8(StatusMessages), uint8(StatusDeletedStorage), func(a uint8) string { return statusNames[a] })

// StatusArgs are STATUS's mailbox and items, in the order asked.
type StatusArgs struct {
	Mailbox []byte
	Items   []StatusAtt
}

// AppendArgs are APPEND's mailbox and its current message (RFC 9051,
// MULTIAPPEND RFC 3502: [Decoder.NextMessage] moves to the next). The
// message's literal is open on the Reader when Decode or NextMessage
// returns: Literal says its size, whether it is synchronizing and whether
// it is literal8 (BINARY, RFC 3516).
type AppendArgs struct {
	Mailbox []byte
	Flags   [][]byte
	Date    []byte // date-time "17-Jul-1996 02:44:25 -0700", nil without one
	Literal Literal
	Index   int // 0 for the first message, 1 for the second …
}

// AppendData is one message for the APPEND writer.
type AppendData struct {
	Flags  [][]byte
	Date   []byte // date-time, nil for none
	Binary bool   // write it as literal8 (~{n}); NUL is then allowed
	Data   []byte
}

// SearchReturn are the RETURN options of an ESEARCH (RFC 4731, RFC 5182
// SAVE).
type SearchReturn uint8

// Return options.
const (
	SearchReturnMin SearchReturn = 1 << iota
	SearchReturnMax
	SearchReturnAll
	SearchReturnCount
	SearchReturnSave
)

var searchReturnNames = [...]string{"MIN", "MAX", "ALL", "COUNT", "SAVE"}

// SearchArgs are SEARCH's arguments.
type SearchArgs struct {
	HasReturn bool // RETURN (…) was given; an empty list means ALL
	Return    SearchReturn
	Charset   []byte // nil without CHARSET
	// Terms are the keys in prefix order: NOT and OR are followed by their
	// operands, a SearchOpen term by the group's keys and a SearchClose
	// term.
	Terms []SearchTerm
}

// SearchTerm is one search key with its arguments.
type SearchTerm struct {
	Key   SearchKeyID
	Depth int    // nesting in NOT, OR and groups
	Set   SeqSet // SearchSeqSet, SearchUID
	Date  []byte // BEFORE, ON, SINCE, SENT*: "1-Feb-1994"
	Num   uint64 // LARGER, SMALLER, OLDER, YOUNGER, MODSEQ
	// Atom is the flag of KEYWORD and UNKEYWORD, or MODSEQ's entry name
	// (with Type its entry type: priv, shared or all).
	Atom, Type []byte
	// Str are the string arguments: one for BCC, BODY, CC, FROM, SUBJECT,
	// TEXT, TO; the field name and the value for HEADER.
	Str [2][]byte
}

// FetchArgs are FETCH's arguments (RFC 9051, CONDSTORE and QRESYNC RFC
// 7162).
type FetchArgs struct {
	Set SeqSet
	// Items are the data items; a macro (ALL, FAST, FULL) is one item of
	// Att FetchAll, FetchFast or FetchFull. Section.Fields views the raw
	// header list.
	Items           []FetchItem
	List            bool // the items were in parentheses
	HasChangedSince bool
	ChangedSince    uint64
	Vanished        bool // UID FETCH … (CHANGEDSINCE n VANISHED)
}

// StoreArgs are STORE's arguments (RFC 9051, UNCHANGEDSINCE RFC 7162).
type StoreArgs struct {
	Set               SeqSet
	HasUnchangedSince bool
	UnchangedSince    uint64
	Op                byte // '+' add, '-' remove, '=' replace
	Silent            bool
	List              bool // the flags were in parentheses
	Flags             [][]byte
}

// CopyArgs are COPY's and MOVE's set and destination.
type CopyArgs struct {
	Set     SeqSet
	Mailbox []byte
}

// ExpungeArgs are UID EXPUNGE's UIDs (RFC 4315).
type ExpungeArgs struct {
	Set SeqSet
}

// IDParam is one field-value pair of ID (RFC 2971); Nil is set for a NIL
// value.
type IDParam struct {
	Field, Value []byte
	Nil          bool
}
