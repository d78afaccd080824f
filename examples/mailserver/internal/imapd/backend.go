package imapd

import (
	"errors"
	"io"
	"os"
	"time"
)

// What a session needs of the store, adapted from *store.Store by
// StoreOf (wire.go). Folder names are UTF-8 with "/" as the hierarchy
// delimiter; "INBOX" is the inbox in any case.

// Errors an Account or Folder returns that have their own IMAP response
// code; any other error is answered NO [SERVERBUG].
var (
	ErrNoFolder = errors.New("imapd: no such mailbox")         // [NONEXISTENT], [TRYCREATE] for COPY/APPEND
	ErrExists   = errors.New("imapd: mailbox exists")          // [ALREADYEXISTS]
	ErrCannot   = errors.New("imapd: operation not allowed")   // [CANNOT]: deleting INBOX, a bad name
	ErrUseAttr  = errors.New("imapd: special-use not allowed") // [USEATTR]
)

// Store opens a user's account.
type Store interface {
	OpenAccount(user string) (Account, error)
}

// FolderInfo is one folder of a LIST.
type FolderInfo struct {
	Name                               string
	Use                                string // special-use attribute, "\Sent", or ""
	Subscribed                         bool
	Noselect, NonExistent, HasChildren bool
}

// Appender adds messages to a folder all at once (APPEND, MULTIAPPEND):
// Add streams each into the folder's tmp/, Commit gives them UIDs, Abort
// removes what Add wrote.
type Appender interface {
	Add(r io.Reader, flags []string, date time.Time) error
	Commit() (uidValidity uint32, uids []uint32, err error)
	Abort()
}

// Account is one user's folders.
type Account interface {
	Folders() ([]FolderInfo, error)
	Create(name string, use []string) error // use: special-use attributes (CREATE-SPECIAL-USE)
	Delete(name string) error
	Rename(from, to string) error
	Subscribe(name string, on bool) error
	// Status is the folder's STATUS, without taking its \Recent.
	Status(name string) (Status, error)
	// NewAppender opens a folder for APPEND; ErrNoFolder if missing.
	NewAppender(name string) (Appender, error)
	// Open opens a folder for reading and changes; ErrNoFolder if missing.
	Open(name string, readOnly bool) (Folder, error)
	Close() error
}

// Msg is one message of a folder snapshot.
type Msg struct {
	UID    uint32
	Flags  []string // sorted: system flags (\Seen …) and keywords
	ModSeq uint64
	Size   int64
	Date   int64 // INTERNALDATE, Unix seconds
	Recent bool  // this snapshot was the first to see it (claimed \Recent)
	gone   bool  // in a session's view: expunged, its EXPUNGE not sent yet
}

// date is the internal date as a time.
func (m *Msg) date() time.Time { return time.Unix(m.Date, 0) }

// Status is a folder's STATUS.
type Status struct {
	Messages, Recent, Unseen, Deleted uint32
	UIDNext, UIDValidity              uint32
	HighestModSeq                     uint64
	Size                              int64
}

// FolderState is a folder's counters.
type FolderState struct {
	UIDValidity, UIDNext uint32
	HighestModSeq        uint64
}

// Folder is an opened folder.
type Folder interface {
	// Snapshot returns the state and the messages, sorted by UID; the
	// messages no session saw before are the caller's \Recent ones
	// (Msg.Recent; an EXAMINE claims none).
	Snapshot() (FolderState, []Msg, error)
	// OpenMessage opens a message's file.
	OpenMessage(uid uint32) (*os.File, error)
	// Store changes flags ('+' add, '-' remove, '=' replace) of uids;
	// with unchangedSince > 0, messages whose MODSEQ is higher are left
	// alone and returned as modified.
	Store(uids []uint32, op byte, flags []string, unchangedSince uint64) (modified []uint32, err error)
	// Expunge removes uids.
	Expunge(uids []uint32) error
	// Copy copies uids into the folder dest, returning dest's UIDVALIDITY,
	// the source UIDs copied and the new UIDs in the same order; Move also
	// removes them here.
	Copy(uids []uint32, dest string) (uidValidity uint32, src, dst []uint32, err error)
	Move(uids []uint32, dest string) (uidValidity uint32, src, dst []uint32, err error)
	// Vanished returns the UIDs expunged with a MODSEQ above since
	// (QRESYNC), sorted; ok false if the store no longer knows that far
	// back.
	Vanished(since uint64) (uids []uint32, ok bool, err error)
	// Changed is signalled (never closed) when the folder may have
	// changed: by this process at once, by another within the store's
	// poll interval.
	Changed() <-chan struct{}
	Close() error
}
