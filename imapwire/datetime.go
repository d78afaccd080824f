package imapwire

import "time"

// IMAP dates (RFC 9051 §9, RFC 3501 §9): date-time, "dd-Mon-yyyy hh:mm:ss
// +zzzz" in APPEND and INTERNALDATE, and date, "d-Mon-yyyy" in SEARCH.
// Parsing allocates nothing: time.FixedZone allocates, so ParseDateTime
// returns the instant in UTC and the zone offset apart; t.In(time.FixedZone("",
// zone)) puts them together when the caller wants that.

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

var (
	errDateTime error = &SyntaxError{Err: ErrSyntax, Expected: `date-time "dd-Mon-yyyy hh:mm:ss +zzzz"`}
	errDate     error = &SyntaxError{Err: ErrSyntax, Expected: "date d-Mon-yyyy"}
)

// ParseDateTime parses an IMAP date-time, with or without its DQUOTEs, as
// AppendMessage and INTERNALDATE give it: the day is two digits or SP and
// a digit, the month name in any case, hours 00-23, minutes 00-59, seconds
// 00-60 (a leap second reads as the next minute's first), the zone +-hhmm
// up to 23:59. t is the instant in UTC; zone is the offset east of UTC in
// seconds. A day the month lacks (31-Apr) is refused. Errors match
// ErrSyntax. It allocates nothing.
func ParseDateTime(b []byte) (t time.Time, zone int, err error) {
	if len(b) == 28 && b[0] == '"' && b[27] == '"' {
		b = b[1:27]
	}
	if len(b) != 26 || b[11] != ' ' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return time.Time{}, 0, errDateTime
	}
	day := b[:2]
	if day[0] == ' ' {
		day = day[1:]
	}
	if b[2] != '-' {
		return time.Time{}, 0, errDateTime
	}
	y, m, d, ok := dateText(day, b[3:11])
	hh, ok1 := digits2(b[12:14], 23)
	mm, ok2 := digits2(b[15:17], 59)
	ss, ok3 := digits2(b[18:20], 60)
	zh, ok4 := digits2(b[22:24], 23)
	zm, ok5 := digits2(b[24:26], 59)
	if !ok || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || (b[21] != '+' && b[21] != '-') {
		return time.Time{}, 0, errDateTime
	}
	zone = zh*3600 + zm*60
	if b[21] == '-' {
		zone = -zone
	}
	t = time.Date(y, m, d, hh, mm, ss, 0, time.UTC).Add(-time.Duration(zone) * time.Second)
	return t, zone, nil
}

// ParseDate parses a SEARCH date, "d-Mon-yyyy" (the day one or two digits,
// the month in any case), with or without DQUOTEs, as midnight UTC: SEARCH
// compares dates without time and zone (RFC 9051 §6.4.4). A day the month
// lacks is refused. Errors match ErrSyntax. It allocates nothing.
func ParseDate(b []byte) (time.Time, error) {
	y, m, d, ok := dateOf(b)
	if !ok {
		return time.Time{}, errDate
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// dateOf checks a SEARCH date as ParseDate does and returns its parts.
func dateOf(b []byte) (int, time.Month, int, bool) {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' {
		b = b[1 : n-1]
	}
	i := run(b, 0, clDigit)
	if i < 1 || i > 2 || len(b) != i+9 || b[i] != '-' {
		return 0, 0, 0, false
	}
	return dateText(b[:i], b[i+1:])
}

// dateText checks the day digits and "Mon-yyyy" and the day against the
// month's length.
func dateText(day, rest []byte) (int, time.Month, int, bool) {
	if len(rest) != 8 || rest[3] != '-' || run(day, 0, clDigit) != len(day) || run(rest, 4, clDigit) != 8 {
		return 0, 0, 0, false
	}
	d := 0
	for _, c := range day {
		d = d*10 + int(c-'0')
	}
	y := int(rest[4]-'0')*1000 + int(rest[5]-'0')*100 + int(rest[6]-'0')*10 + int(rest[7]-'0')
	m := monthOf(rest[0], rest[1], rest[2])
	if m == 0 || d < 1 || d > daysIn(m, y) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// monthOf returns the month whose three-letter name is a, b, c in any
// case, or 0.
func monthOf(a, b, c byte) time.Month {
	// x|0x20 is a lower-case letter only when x is that letter in either
	// case, so the cases match nothing else.
	switch uint32(a|0x20)<<16 | uint32(b|0x20)<<8 | uint32(c|0x20) {
	case 'j'<<16 | 'a'<<8 | 'n':
		return time.January
	case 'f'<<16 | 'e'<<8 | 'b':
		return time.February
	case 'm'<<16 | 'a'<<8 | 'r':
		return time.March
	case 'a'<<16 | 'p'<<8 | 'r':
		return time.April
	case 'm'<<16 | 'a'<<8 | 'y':
		return time.May
	case 'j'<<16 | 'u'<<8 | 'n':
		return time.June
	case 'j'<<16 | 'u'<<8 | 'l':
		return time.July
	case 'a'<<16 | 'u'<<8 | 'g':
		return time.August
	case 's'<<16 | 'e'<<8 | 'p':
		return time.September
	case 'o'<<16 | 'c'<<8 | 't':
		return time.October
	case 'n'<<16 | 'o'<<8 | 'v':
		return time.November
	case 'd'<<16 | 'e'<<8 | 'c':
		return time.December
	}
	return 0
}

// daysIn returns the number of days of month m in year y (proleptic
// Gregorian, as time uses).
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// digits2 parses two digits up to limit.
func digits2(b []byte, limit int) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	v := int(b[0]-'0')*10 + int(b[1]-'0')
	return v, v <= limit
}

// AppendDateTime appends t as an IMAP date-time with its DQUOTEs,
// "04-Dec-2026 18:32:45 +0000", in t's own zone (the offset truncated to
// whole minutes). Years outside 0000-9999 cannot be written; they are
// clamped to that range. ParseDateTime reads it back.
func AppendDateTime(dst []byte, t time.Time) []byte {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	_, off := t.Zone()
	y = min(max(y, 0), 9999)
	dst = append(dst, '"', byte('0'+d/10), byte('0'+d%10), '-')
	dst = append(dst, monthNames[m-1]...)
	dst = append(dst, '-', byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), ' ')
	dst = append(dst, byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10), ':',
		byte('0'+ss/10), byte('0'+ss%10), ' ')
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	off /= 60
	zh, zm := min(off/60, 99), off%60
	return append(dst, sign, byte('0'+zh/10), byte('0'+zh%10), byte('0'+zm/10), byte('0'+zm%10), '"')
}
