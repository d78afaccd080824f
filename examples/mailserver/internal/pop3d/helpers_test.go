package pop3d

import (
	"net/netip"
	"os"
)

type netipAddr = netip.Addr

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }
