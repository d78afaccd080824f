package transcript

import "bytes"

// Seeds returns fuzz seeds from the committed transcripts of protocol: the
// stream sent in direction d by each session, cut after its last CRLF
// within max octets so that a seed stays quick to run. Real peers' bytes
// then seed every parser's fuzz target, not only the replays.
func Seeds(protocol string, d Dir, max int) ([][]byte, error) {
	dir, err := CommittedDir()
	if err != nil {
		return nil, err
	}
	ts, err := loadProtocol(dir, protocol)
	if err != nil {
		return nil, err
	}
	var seeds [][]byte
	for _, t := range ts {
		stream := t.Bytes(d)
		if tls := bytes.Index(stream, []byte("\r\n\x16\x03")); tls >= 0 {
			stream = stream[:tls+2] // the TLS records after a STARTTLS go-ahead
		}
		stream = stream[:bytes.LastIndex(stream[:min(max, len(stream))], []byte("\r\n"))+2]
		if len(stream) > 0 {
			seeds = append(seeds, stream)
		}
	}
	return seeds, nil
}

// SeedLines returns the distinct lines (each with its CRLF) of the seeds
// from Seeds, for fuzz targets that take one line.
func SeedLines(protocol string, d Dir, max int) ([][]byte, error) {
	streams, err := Seeds(protocol, d, max)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var lines [][]byte
	for _, s := range streams {
		for len(s) > 0 {
			line := s
			if i := bytes.Index(s, []byte("\r\n")); i >= 0 {
				line = s[:i+2]
			}
			s = s[len(line):]
			if !seen[string(line)] {
				seen[string(line)] = true
				lines = append(lines, line)
			}
		}
	}
	return lines, nil
}
