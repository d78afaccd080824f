// Command seeds writes a libFuzzer seed corpus (a zip of raw inputs) for one
// native Go fuzz target, for ClusterFuzzLite and OSS-Fuzz, whose engines read
// raw bytes rather than Go's "go test fuzz v1" files.
//
//	go run ./fuzz/seeds -dir smtpwire -target FuzzCommand -proto smtp -o FuzzCommand_seed_corpus.zip
//
// It takes the first []byte or string value of every committed corpus file
// under DIR/testdata/fuzz/TARGET, and, with -proto, both directions of every
// committed transcript of that protocol (testdata/transcripts): real peers'
// traffic. Values of other types are skipped. The zip is deterministic.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mailwire/mailwire/internal/transcript"

	"github.com/mailwire/mailwire/internal/seedzip"
)

func main() {
	dir := flag.String("dir", ".", "package directory")
	target := flag.String("target", "", "fuzz function name")
	proto := flag.String("proto", "", "smtp, pop3 or imap: add that protocol's transcripts")
	out := flag.String("o", "", "zip file to write")
	flag.Parse()
	if *target == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	inputs, err := corpus(filepath.Join(*dir, "testdata", "fuzz", *target))
	if err == nil && *proto != "" {
		var more [][]byte
		more, err = transcripts(*proto)
		inputs = append(inputs, more...)
	}
	if err == nil {
		err = seedzip.Write(*out, inputs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seeds:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d inputs\n", *out, len(inputs))
}

// corpus reads the first byte-like value of each "go test fuzz v1" file.
func corpus(dir string) ([][]byte, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var inputs [][]byte
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if v, ok, err := firstBytes(data); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		} else if ok {
			inputs = append(inputs, v)
		}
	}
	return inputs, nil
}

// firstBytes parses one corpus file and returns its first []byte(...) or
// string(...) value.
func firstBytes(file []byte) ([]byte, bool, error) {
	sc := bufio.NewScanner(bytes.NewReader(file))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" {
		return nil, false, errors.New("not a go test fuzz v1 file")
	}
	for sc.Scan() {
		expr, err := parser.ParseExpr(sc.Text())
		if err != nil {
			return nil, false, err
		}
		call, ok := expr.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			continue
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			continue
		}
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			if fn.Name != "string" {
				continue
			}
		case *ast.ArrayType:
			if id, ok := fn.Elt.(*ast.Ident); !ok || fn.Len != nil || (id.Name != "byte" && id.Name != "uint8") {
				continue
			}
		default:
			continue
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, false, err
		}
		return []byte(s), true, nil
	}
	return nil, false, sc.Err()
}

// transcripts returns the client stream and the server stream of every
// committed transcript of the protocol.
func transcripts(proto string) ([][]byte, error) {
	ts, err := transcript.Discover(proto)
	if err != nil {
		return nil, err
	}
	var inputs [][]byte
	for _, t := range ts {
		inputs = append(inputs, t.Bytes(transcript.ClientToServer), t.Bytes(transcript.ServerToClient))
	}
	return inputs, nil
}
