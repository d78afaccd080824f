package listener

import (
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/tlsconf"
)

func generate() ([]byte, []byte, error) { return tlsconf.Generate("localhost", time.Now()) }
