//go:build ignore

// Command seeds re-encodes a seed corpus zip for one target's libFuzzer build.
// go-118-fuzz-build hands libFuzzer's input to the f.Fuzz function through
// go-fuzz-headers' consumer, one argument after the other, so a raw input is
// not what the function receives: a []byte or string is a 4-byte big-endian
// length and then its bytes (a []byte's length is taken modulo the bytes
// left, and 0 means 30), uint8 and int8 one byte, uint16 and int16 two bytes
// and a byte choosing the order (even: little-endian), uint32 and int32 four
// bytes big-endian, the 64-bit and word-sized integers eight bytes and an
// order byte, and bool one byte (even: true). When an argument cannot be
// read the function is not called at all.
//
//	go run .clusterfuzzlite/seeds.go -dir smtpwire -func FuzzCommand -zip $OUT/smtpwire_FuzzCommand_seed_corpus.zip
//
// Each raw entry of ZIP (fuzz/seeds wrote them) becomes the function's first
// []byte or string argument, the others their zero value; each committed
// corpus file of DIR/testdata/fuzz/FUNC is encoded whole, every value in its
// place. The zip is rewritten in place, deterministic. With -decode FILE it
// does the reverse for a crash libFuzzer wrote: it prints FILE as the
// function receives it, a "go test fuzz v1" file to commit as the regression
// seed in DIR/testdata/fuzz/FUNC/. Its limits: float and
// rune arguments are not encoded (the target's seeds are then left out, and
// it says so), and a value is written as that version of go-fuzz-headers
// (the one go-118-fuzz-build requires) reads it.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/seedzip"
)

func main() {
	dir := flag.String("dir", "", "package directory")
	fn := flag.String("func", "", "fuzz target")
	zipPath := flag.String("zip", "", "seed corpus zip to rewrite")
	decodeFile := flag.String("decode", "", "libFuzzer input to print in Go's corpus format")
	flag.Parse()
	if *dir == "" || *fn == "" || (*zipPath == "") == (*decodeFile == "") {
		flag.Usage()
		os.Exit(2)
	}
	var err error
	if *decodeFile != "" {
		err = decodeMain(*dir, *fn, *decodeFile)
	} else {
		err = run(*dir, *fn, *zipPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seeds:", err)
		os.Exit(1)
	}
}

func run(dir, fn, zipPath string) error {
	params, err := fuzzParams(dir, fn)
	if err != nil {
		return err
	}
	raw, err := seedzip.Read(zipPath)
	if err != nil {
		return err
	}
	first := -1
	for i, p := range params {
		if p == "[]byte" || p == "string" {
			first = i
			break
		}
	}
	var out [][]byte
	for _, in := range raw {
		if first < 0 {
			break
		}
		vals := make([]any, len(params))
		for i, p := range params {
			vals[i] = zero(p)
		}
		if params[first] == "string" {
			vals[first] = string(in)
		} else {
			vals[first] = in
		}
		enc, err := encode(params, vals)
		if err != nil {
			return err
		}
		out = append(out, enc)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "testdata", "fuzz", fn, "*"))
	for _, name := range files {
		vals, err := corpusFile(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if len(vals) != len(params) {
			continue // a stale file; go test reports it
		}
		enc, err := encode(params, vals)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, enc)
	}
	if err := seedzip.Write(zipPath, out); err != nil {
		return err
	}
	fmt.Printf("%s: %d inputs encoded for (%s)\n", zipPath, len(out), strings.Join(params, ", "))
	return nil
}

// fuzzParams returns the types, as written, of the arguments after *testing.T
// of the function that FUNC passes to f.Fuzz.
func fuzzParams(dir, fn string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Name.Name != fn || fd.Body == nil {
				continue
			}
			var params []string
			var bad error
			found := false
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if found || !ok || len(call.Args) != 1 {
					return !found
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				lit, ok2 := call.Args[0].(*ast.FuncLit)
				if !ok || !ok2 || sel.Sel.Name != "Fuzz" {
					return true
				}
				found = true
				for i, field := range lit.Type.Params.List {
					t := typeName(field.Type)
					if i == 0 {
						continue // *testing.T
					}
					if t == "" {
						bad = fmt.Errorf("%s: argument type not encoded", fset.Position(field.Pos()))
					}
					for range max(1, len(field.Names)) {
						params = append(params, t)
					}
				}
				return false
			})
			if bad != nil {
				return nil, bad
			}
			if found {
				return params, nil
			}
		}
	}
	return nil, fmt.Errorf("no f.Fuzz call in %s in %s", fn, dir)
}

func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		switch e.Name {
		case "string", "bool", "int", "int8", "int16", "int32", "int64",
			"uint", "uint8", "uint16", "uint32", "uint64":
			return e.Name
		case "byte":
			return "uint8"
		}
	case *ast.ArrayType:
		if id, ok := e.Elt.(*ast.Ident); ok && e.Len == nil && (id.Name == "byte" || id.Name == "uint8") {
			return "[]byte"
		}
	}
	return ""
}

func zero(t string) any {
	switch t {
	case "[]byte":
		return []byte{}
	case "string":
		return ""
	case "bool":
		return false
	}
	return uint64(0)
}

// encode writes vals as the consumer reads params, then one spare byte: with
// it, an empty []byte or string is readable in any place.
func encode(params []string, vals []any) ([]byte, error) {
	parts := make([][]byte, len(params))
	for i := len(params) - 1; i >= 0; i-- {
		rest := 1 // the spare byte
		for _, p := range parts[i+1:] {
			rest += len(p)
		}
		var b []byte
		switch params[i] {
		case "[]byte", "string":
			var v []byte
			switch x := vals[i].(type) {
			case []byte:
				v = x
			case string:
				v = []byte(x)
			default:
				return nil, fmt.Errorf("argument %d: %T for %s", i, vals[i], params[i])
			}
			n := uint32(len(v))
			if n == 0 && params[i] == "[]byte" {
				n = uint32(2 * rest) // 0 would mean 30; n modulo the bytes left is 0
			}
			b = binary.BigEndian.AppendUint32(nil, n)
			b = append(b, v...)
		case "bool":
			x, ok := vals[i].(bool)
			if !ok {
				return nil, fmt.Errorf("argument %d: %T for bool", i, vals[i])
			}
			if x {
				b = []byte{0}
			} else {
				b = []byte{1}
			}
		default:
			x, ok := vals[i].(uint64)
			if !ok {
				return nil, fmt.Errorf("argument %d: %T for %s", i, vals[i], params[i])
			}
			switch params[i] {
			case "uint8", "int8":
				b = []byte{byte(x)}
			case "uint16", "int16":
				b = append(binary.BigEndian.AppendUint16(nil, uint16(x)), 1)
			case "uint32", "int32":
				b = binary.BigEndian.AppendUint32(nil, uint32(x))
			default:
				b = append(binary.BigEndian.AppendUint64(nil, x), 1)
			}
		}
		parts[i] = b
	}
	return append(bytes.Join(parts, nil), 0), nil
}

// corpusFile parses a "go test fuzz v1" file into its values: []byte and
// string as such, bool, and every integer as its uint64 bits.
func corpusFile(name string) ([]any, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" {
		return nil, errors.New("not a go test fuzz v1 file")
	}
	var vals []any
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		expr, err := parser.ParseExpr(sc.Text())
		if err != nil {
			return nil, err
		}
		call, ok := expr.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return nil, fmt.Errorf("not a value: %s", sc.Text())
		}
		v, err := value(call)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, sc.Err()
}

func value(call *ast.CallExpr) (any, error) {
	arg := call.Args[0]
	neg := false
	if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.SUB {
		neg, arg = true, u.X
	}
	if id, ok := arg.(*ast.Ident); ok && (id.Name == "true" || id.Name == "false") {
		return id.Name == "true", nil
	}
	lit, ok := arg.(*ast.BasicLit)
	if !ok {
		return nil, errors.New("not a literal")
	}
	switch lit.Kind {
	case token.STRING:
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, err
		}
		if _, ok := call.Fun.(*ast.ArrayType); ok {
			return []byte(s), nil
		}
		return s, nil
	case token.CHAR:
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, err
		}
		r := []rune(s)
		if len(r) != 1 {
			return nil, errors.New("bad character literal")
		}
		if len(s) == 1 {
			return uint64(s[0]), nil // '\xff' unquotes to one byte
		}
		return uint64(r[0]), nil
	case token.INT:
		u, err := strconv.ParseUint(lit.Value, 0, 64)
		if err != nil {
			return nil, err
		}
		if neg {
			u = -u
		}
		return u, nil
	}
	return nil, fmt.Errorf("literal %s not encoded", lit.Value)
}

func decodeMain(dir, fn, name string) error {
	params, err := fuzzParams(dir, fn)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	vals, err := decode(params, data)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for i, p := range params {
		switch v := vals[i].(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case string:
			fmt.Fprintf(&b, "string(%q)\n", v)
		case bool:
			fmt.Fprintf(&b, "bool(%v)\n", v)
		case uint64:
			switch p {
			case "int", "int8", "int16", "int32", "int64":
				fmt.Fprintf(&b, "%s(%d)\n", p, signed(p, v))
			case "uint8":
				fmt.Fprintf(&b, "byte(%q)\n", rune(v)) // as go test writes a byte
			default:
				fmt.Fprintf(&b, "%s(%d)\n", p, v)
			}
		}
	}
	_, err = os.Stdout.WriteString(b.String())
	return err
}

func signed(p string, v uint64) int64 {
	switch p {
	case "int8":
		return int64(int8(v))
	case "int16":
		return int64(int16(v))
	case "int32":
		return int64(int32(v))
	}
	return int64(v)
}

// decode reads data as the consumer does; it fails where the function would
// not have been called.
func decode(params []string, data []byte) ([]any, error) {
	pos := 0
	short := errors.New("input too short: the function is not called with it")
	take := func(n int) ([]byte, error) {
		if pos >= len(data) || len(data)-pos < n {
			return nil, short
		}
		b := data[pos : pos+n]
		pos += n
		return b, nil
	}
	order := func() (binary.ByteOrder, error) {
		b, err := take(1)
		if err != nil {
			return nil, err
		}
		if b[0]%2 == 0 {
			return binary.LittleEndian, nil
		}
		return binary.BigEndian, nil
	}
	var vals []any
	for _, p := range params {
		switch p {
		case "[]byte":
			lb, err := take(4)
			if err != nil {
				return nil, err
			}
			n := binary.BigEndian.Uint32(lb)
			if n == 0 {
				n = 30
			}
			left := uint32(len(data) - pos)
			if left == 0 {
				return nil, short
			}
			if n != left {
				n %= left
			}
			b, _ := take(int(n))
			vals = append(vals, b)
		case "string":
			if pos >= len(data) {
				return nil, short
			}
			lb, err := take(4)
			if err != nil {
				return nil, err
			}
			n := int(binary.BigEndian.Uint32(lb))
			if pos >= len(data) {
				return nil, short
			}
			b, err := take(n)
			if err != nil {
				return nil, err
			}
			vals = append(vals, string(b))
		case "bool":
			b, err := take(1)
			if err != nil {
				return nil, err
			}
			vals = append(vals, b[0]%2 == 0)
		case "uint8", "int8":
			b, err := take(1)
			if err != nil {
				return nil, err
			}
			vals = append(vals, uint64(b[0]))
		case "uint16", "int16":
			b, err := take(2)
			if err != nil {
				return nil, err
			}
			o, err := order()
			if err != nil {
				return nil, err
			}
			vals = append(vals, uint64(o.Uint16(b)))
		case "uint32", "int32":
			b, err := take(4)
			if err != nil {
				return nil, err
			}
			vals = append(vals, uint64(binary.BigEndian.Uint32(b)))
		default:
			b, err := take(8)
			if err != nil {
				return nil, err
			}
			o, err := order()
			if err != nil {
				return nil, err
			}
			vals = append(vals, o.Uint64(b))
		}
	}
	return vals, nil
}
