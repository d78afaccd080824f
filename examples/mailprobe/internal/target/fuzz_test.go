package target

import (
	"errors"
	"testing"
)

// Any command line gives a valid policy or a usage error, never a panic.
func FuzzNew(f *testing.F) {
	f.Add("mx.example:25", "", "", "verify", "", "3 1 1 00")
	f.Add("[::1]:993", "imap", "starttls", "dane", "", "3 1 1 "+"ab")
	f.Add("h:465", "smtp", "implicit", "fingerprint", "ab:cd", "")
	f.Fuzz(func(t *testing.T, addr, proto, mode, level, fp, tlsa string) {
		tg, err := New(addr, Options{Proto: proto, Mode: mode, Level: level, Fingerprints: []string{fp}, TLSA: []string{tlsa}})
		if err != nil {
			if !errors.Is(err, ErrUsage) {
				t.Fatalf("error %v does not wrap ErrUsage", err)
			}
			return
		}
		if err := tg.Policy.Validate(); err != nil {
			t.Fatalf("New gave an invalid policy: %v", err)
		}
		if tg.Mode == None && tg.Policy.Level.Required() {
			t.Fatal("plaintext at a required level")
		}
	})
}
