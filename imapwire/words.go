package imapwire

// wordIndex finds a keyword (a command, FETCH item or search key name) by
// its name, ignoring ASCII case, without allocating: the names are grouped
// by their first letter, so a lookup compares a handful at most.
type wordIndex[ID ~uint8] [26][]wordEntry[ID]

type wordEntry[ID ~uint8] struct {
	name string
	id   ID
}

// indexWords indexes the ids from first to last, but for skip, under the
// upper-case names that name gives; every name starts with a letter.
func indexWords[ID ~uint8](first, last ID, name func(ID) string, skip ...ID) (x wordIndex[ID]) {
	for id := first; id <= last; id++ {
		if len(skip) > 0 && skip[0] == id {
			skip = skip[1:]
			continue
		}
		n := name(id)
		x[n[0]-'A'] = append(x[n[0]-'A'], wordEntry[ID]{n, id})
	}
	return x
}

// lookup returns the id named word, or none.
func (x *wordIndex[ID]) lookup(word []byte, none ID) ID {
	if len(word) == 0 {
		return none
	}
	c := word[0] | 0x20
	if c < 'a' || c > 'z' {
		return none
	}
	for _, e := range x[c-'a'] {
		if equalFold(word, e.name) {
			return e.id
		}
	}
	return none
}
