package store

// Flags are a message's system flags, kept in the Maildir file name info
// ":2,<letters>" (letters sorted: D F P R S T, then the keyword letters).
type Flags uint8

// The system flags and their Maildir letters.
const (
	FlagSeen     Flags = 1 << iota // \Seen, S
	FlagAnswered                   // \Answered, R
	FlagFlagged                    // \Flagged, F
	FlagDeleted                    // \Deleted, T
	FlagDraft                      // \Draft, D
	FlagPassed                     // Maildir P (resent); kept, not an IMAP flag
)

// MaxKeywords is the number of keywords a folder can hold: the letters a-z
// of the name info, as Dovecot does. More give ErrKeywordLimit.
const MaxKeywords = 26

// flagLetters in ASCII order, as the Maildir specification wants them.
var flagLetters = [...]struct {
	c byte
	f Flags
}{{'D', FlagDraft}, {'F', FlagFlagged}, {'P', FlagPassed}, {'R', FlagAnswered}, {'S', FlagSeen}, {'T', FlagDeleted}}

// parseInfo reads the flags from a file name's info (the part after ':');
// anything but "2,..." has no flags. Unknown letters are dropped.
func parseInfo(info string) (f Flags, kw uint32) {
	if len(info) < 2 || info[0] != '2' || info[1] != ',' {
		return 0, 0
	}
	for i := 2; i < len(info); i++ {
		c := info[i]
		switch {
		case c >= 'a' && c <= 'z':
			kw |= 1 << (c - 'a')
		default:
			for _, l := range flagLetters {
				if l.c == c {
					f |= l.f
				}
			}
		}
	}
	return f, kw
}

// appendInfo appends "2,<letters>" for f and kw.
func appendInfo(dst []byte, f Flags, kw uint32) []byte {
	dst = append(dst, '2', ',')
	for _, l := range flagLetters {
		if f&l.f != 0 {
			dst = append(dst, l.c)
		}
	}
	for i := range MaxKeywords {
		if kw&(1<<i) != 0 {
			dst = append(dst, byte('a'+i))
		}
	}
	return dst
}

// fileName is key + ":" + the info for f and kw.
func fileName(key string, f Flags, kw uint32) string {
	var b [96]byte
	out := append(b[:0], key...)
	out = append(out, ':')
	return string(appendInfo(out, f, kw))
}
