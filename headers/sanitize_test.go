package headers

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSanitizerRules(t *testing.T) {
	msg := "Received: x\r\nX-Mailer: M\r\nsubject: hi\r\nX-Keep: k\r\n\r\nbody\r\n"
	s := Sanitizer{Rules: []Rule{
		{Name: "x-mailer", Action: Drop},
		{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
			return AppendField(dst, f.Name, "["+string(f.Value)+"]")
		}},
		{Name: "X-Keep", Action: Keep},
		{Name: "*", Action: Drop},
		{Action: Add, Field: []byte("X-Added: yes\r\n")},
	}}
	var rep Report
	out, body, err := s.Append([]byte("prefix\r\n"), []byte(msg), &rep)
	require.NoError(t, err)
	assert.Equal(t, "prefix\r\nsubject: [hi]\r\nX-Keep: k\r\nX-Added: yes\r\n\r\n", string(out))
	assert.Equal(t, "body\r\n", string(body))
	require.Len(t, rep.Changes, 4)
	assert.Equal(t, Change{Action: Drop, Rule: 3, Name: []byte("Received"), Offset: 0, Removed: []byte("Received: x\r\n")}, rep.Changes[0])
	assert.Equal(t, Change{Action: Drop, Rule: 0, Name: []byte("X-Mailer"), Offset: 13, Removed: []byte("X-Mailer: M\r\n")}, rep.Changes[1])
	assert.Equal(t, Change{Action: Rewrite, Rule: 1, Name: []byte("subject"), Offset: 26, Removed: []byte("hi")}, rep.Changes[2])
	assert.Equal(t, Change{Action: Add, Rule: 4, Name: []byte("X-Added"), Offset: -1}, rep.Changes[3])
}

func TestSanitizerRepairsAndReports(t *testing.T) {
	msg := " stray\r\nX-Originating-IP : [192.0.2.1]\r\nSubject: a\x00b\r\nnocolon\r\n\r\n"
	s := Sanitizer{Rules: []Rule{{Name: "X-Originating-IP", Action: Drop}}, Options: Options{Repair: AllDefects}}
	var rep Report
	out, _, err := s.Append(nil, []byte(msg), &rep)
	require.NoError(t, err)
	assert.Equal(t, "Subject: ab\r\n\r\n", string(out))
	require.Len(t, rep.Changes, 4)
	assert.Equal(t, []Action{Drop, Drop, Repair, Drop},
		[]Action{rep.Changes[0].Action, rep.Changes[1].Action, rep.Changes[2].Action, rep.Changes[3].Action})
	assert.Equal(t, DefectLeadingContinuation, rep.Changes[0].Defects)
	assert.Equal(t, DefectSpaceBeforeColon, rep.Changes[1].Defects, "matched by its trimmed name")
	assert.Equal(t, DefectNUL, rep.Changes[2].Defects)
	assert.Equal(t, -1, rep.Changes[3].Rule)

	_, _, err = (&Sanitizer{}).Append(nil, []byte(msg), nil)
	assert.ErrorIs(t, err, ErrLeadingContinuation)
}

func TestSanitizerRefusesBadRuleOutput(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		err  error
	}{
		{"injected line", Rule{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
			return append(dst, "Subject: x\r\nBcc: y\nZ\r\n"...), nil
		}}, ErrRewrite},
		{"no line end", Rule{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
			return append(dst, "Subject: x"...), nil
		}}, ErrRewrite},
		{"blank line", Rule{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
			return append(dst, "Subject: x\r\n\r\nBody: y\r\n"...), nil
		}}, ErrRewrite},
		{"long line", Rule{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
			return append(dst, "Subject: "+strings.Repeat("x", 990)+"\r\n"...), nil
		}}, ErrRewrite},
		{"rule error", Rule{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
			return append(dst, "half"...), errors.New("refused")
		}}, nil},
		{"bad add", Rule{Action: Add, Field: []byte("X-Add: a\r\nb\r\n")}, ErrRewrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Sanitizer{Rules: []Rule{tt.rule}}
			out, body, err := s.Append([]byte("kept"), []byte("Subject: s\r\n\r\nbody"), nil)
			require.Error(t, err)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				assert.Equal(t, replyLocal, ReplyOf(err))
			}
			assert.Equal(t, "kept", string(out))
			assert.Nil(t, body)
		})
	}
}

func TestSanitizerLineLimitCapped(t *testing.T) {
	msg := "Subject: " + strings.Repeat("x", 995) + "\r\n\r\n"
	s := Sanitizer{Options: Options{MaxLineLength: 5000}}
	_, _, err := s.Append(nil, []byte(msg), nil)
	assert.ErrorIs(t, err, ErrLineTooLong)
}

func TestSanitizerKeepsEverythingByDefault(t *testing.T) {
	for _, name := range fixtureNames(t) {
		msg := readFixture(t, name)
		out, body, err := (&Sanitizer{}).Append(nil, msg, nil)
		require.NoError(t, err, name)
		assert.Equal(t, string(msg), string(out)+string(body), name)
	}
}

func TestSanitizerAllocs(t *testing.T) {
	s := Sanitizer{
		Rules:   SubmissionRules(Submission{Domain: "example.org", Hosts: []string{"mail.example.org"}, Secret: []byte("k")}),
		Options: Options{Repair: AllDefects},
	}
	var rep Report
	buf := make([]byte, 0, 4096)
	msgs := [][]byte{[]byte("Received: from pc\x00 by mail.example.org; d\r\nSubject : a\rb\n\r\n")}
	for _, name := range fixtureNames(t) {
		msgs = append(msgs, readFixture(t, name))
	}
	for _, msg := range msgs {
		allocs := testing.AllocsPerRun(100, func() {
			var err error
			buf, _, err = s.Append(buf[:0], msg, &rep)
			if err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "%.40q", msg)
	}
}

func TestActionString(t *testing.T) {
	assert.Equal(t, "drop", Drop.String())
	assert.Equal(t, "repair", Repair.String())
	assert.Equal(t, "trim", Trim.String())
	assert.Equal(t, "action?", Action(0).String())
	assert.Equal(t, "action?", Action(99).String())
}

func TestNameFilter(t *testing.T) {
	s := Sanitizer{Rules: []Rule{{Name: "X-Mailer", Action: Drop}, {Name: "Received", Action: Drop}, {Action: Add}}}
	nf := s.filter()
	for name, want := range map[string]bool{"X-Mailer": true, "x-mailer": true, "RECEIVED": true, "": false} {
		assert.Equal(t, want, nf.mayMatch([]byte(name)), name)
	}
	misses := 0
	for _, name := range []string{"From", "To", "Subject", "Date", "Message-ID", "Content-Type", "DKIM-Signature"} {
		if !nf.mayMatch([]byte(name)) {
			misses++
		}
	}
	assert.Greater(t, misses, 4, "most other names are filtered out")
	s.Rules = append(s.Rules, Rule{Name: "*", Action: Keep})
	nf = s.filter()
	assert.True(t, nf.mayMatch([]byte("Anything")))
}

func TestSanitizerRewriteSeesRepairedField(t *testing.T) {
	var seen []string
	s := Sanitizer{
		Rules: []Rule{
			{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
				seen = append(seen, string(f.Raw))
				return append(dst, f.Raw...), nil
			}},
			{Name: "Received", Action: Rewrite, Rewrite: StripReceived().Rewrite},
			{Name: "X-Nil", Action: Rewrite},
		},
		Options: Options{Repair: AllDefects},
	}
	msg := "Received: from pc\x00 (isp [192.0.2.1]) by mx.example; d\r\nSubject : a\rb\n\r\n"
	var rep Report
	out, _, err := s.Append([]byte("pre "), []byte(msg), &rep)
	require.NoError(t, err)
	assert.Equal(t, "pre Received: by mx.example; d\r\nSubject: a b\r\n\r\n", string(out))
	assert.Equal(t, []string{"Subject: a b\r\n"}, seen)
	require.Len(t, rep.Changes, 2)
	assert.Equal(t, Change{Action: Trim, Rule: 1, Name: []byte("Received"), Offset: 0, Defects: DefectNUL,
		Removed: []byte("from pc\x00 (isp [192.0.2.1]) ")}, rep.Changes[0], "the cut, as a view of the input")
	assert.Equal(t, Repair, rep.Changes[1].Action)
	assert.Equal(t, DefectSpaceBeforeColon|DefectBareCR|DefectBareLF, rep.Changes[1].Defects)

	_, _, err = s.Append(nil, []byte("X-Nil: 1\r\n\r\n"), nil)
	assert.ErrorIs(t, err, ErrRewrite, "a rewrite rule without a function")
	s.Rules = []Rule{{Action: Add}}
	_, _, err = s.Append(nil, []byte("A: 1\r\n\r\n"), nil)
	assert.ErrorIs(t, err, ErrRewrite, "an add rule without a field")
}
