//go:build ignore

// Command harness prepares one package directory for OSS-Fuzz's
// compile_native_go_fuzzer, which turns the one file that declares
// `func FUZZ(f *testing.F)` into package code built against
// go-118-fuzz-build's stand-in for "testing". That stand-in has F and T but
// no B or TB, and no other _test.go file of the package is compiled with it,
// so a harness kept beside its package's tests and benchmarks, or one that
// calls helpers from other test files, does not build as it is.
//
//	go run .clusterfuzzlite/harness.go -dir smtpwire -func FuzzCommand -stash $WORK/stash
//
// It moves every _test.go file of DIR into STASH and writes DIR/cflite_fuzz_test.go
// holding FUZZ and every test-file declaration it reaches (functions, types
// with their methods, variables, constants), with the imports they use; the
// code is the same, only its file changes. A harness of an external test
// package (package x_test) becomes package x: selectors of x are unqualified,
// as package code must be. -restore puts the stash back. It exits non-zero,
// naming the cause, if a reached declaration uses testing.B or testing.TB.
// Meant for a throwaway copy of the tree (the OSS-Fuzz image, or
// fuzz/cflite-local.sh's temporary directory).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const outName = "cflite_fuzz_test.go"

func main() {
	dir := flag.String("dir", "", "package directory")
	fn := flag.String("func", "", "fuzz target")
	stash := flag.String("stash", "", "where the package's _test.go files are kept meanwhile")
	restore := flag.Bool("restore", false, "put the stashed files back and remove the generated one")
	flag.Parse()
	var err error
	switch {
	case *dir == "" || *stash == "" || (*fn == "" && !*restore):
		flag.Usage()
		os.Exit(2)
	case *restore:
		err = restoreStash(*dir, *stash)
	default:
		err = prepare(*dir, *fn, *stash)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

type source struct {
	text    []byte
	file    *ast.File
	imports map[string]*ast.ImportSpec // by the name the file uses
}

type decl struct {
	node ast.Decl
	src  *source
}

func prepare(dir, fn, stash string) error {
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return err
	}
	// Declarations of the package's test files, by package clause and name.
	index := map[string]map[string][]decl{}
	methods := map[string][]decl{} // by package and receiver type: "pkg.Type"
	var target *decl
	var internalPkg string
	for _, name := range names {
		text, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, name, text, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		src := &source{text: text, file: f, imports: map[string]*ast.ImportSpec{}}
		for _, imp := range f.Imports {
			src.imports[importName(imp)] = imp
		}
		pkg := f.Name.Name
		if !strings.HasSuffix(pkg, "_test") {
			internalPkg = pkg
		}
		if index[pkg] == nil {
			index[pkg] = map[string][]decl{}
		}
		for _, d := range f.Decls {
			dd := decl{node: d, src: src}
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					methods[pkg+"."+recvType(d)] = append(methods[pkg+"."+recvType(d)], dd)
					continue
				}
				index[pkg][d.Name.Name] = append(index[pkg][d.Name.Name], dd)
				if d.Name.Name == fn && isFuzz(d) {
					target = &dd
				}
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				// A group stays whole: splitting it would lose iota's values.
				for _, s := range d.Specs {
					for _, n := range specNames(s) {
						index[pkg][n] = append(index[pkg][n], dd)
					}
				}
			}
		}
	}
	if target == nil {
		return fmt.Errorf("no func %s(f *testing.F) in %s/*_test.go", fn, dir)
	}
	pkg := target.src.file.Name.Name
	external := strings.HasSuffix(pkg, "_test")
	base := strings.TrimSuffix(pkg, "_test")
	if external && internalPkg == "" {
		internalPkg = base
	}
	// The closure: names looked up in the harness's own package first, then,
	// for an external test package, in the package's internal test files.
	lookup := []string{pkg}
	if external {
		lookup = append(lookup, internalPkg)
	}
	var out []decl
	seen := map[ast.Decl]bool{}
	var add func(d decl, pkgOf string)
	add = func(d decl, pkgOf string) {
		if seen[d.node] {
			return
		}
		seen[d.node] = true
		out = append(out, d)
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				// x.Name in an external test file names the package under test.
				if id, ok := n.X.(*ast.Ident); ok && external && id.Name == base && d.src.imports[base] != nil {
					for _, p := range lookup {
						for _, dd := range index[p][n.Sel.Name] {
							add(dd, p)
						}
					}
				}
				// Sel is a field or method name, not a declaration's.
				ast.Inspect(n.X, visit)
				return false
			case *ast.Ident:
				for _, dd := range index[pkgOf][n.Name] {
					add(dd, pkgOf)
				}
				for _, dd := range methods[pkgOf+"."+n.Name] {
					add(dd, pkgOf)
				}
			}
			return true
		}
		ast.Inspect(d.node, visit)
	}
	add(*target, pkg)
	// Keep the files' order and the declarations' order within them.
	sort.SliceStable(out, func(i, j int) bool { return out[i].node.Pos() < out[j].node.Pos() })

	var body bytes.Buffer
	imports := map[string]*ast.ImportSpec{}
	for _, d := range out {
		var bad error
		ast.Inspect(d.node, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			imp := d.src.imports[id.Name]
			if imp == nil {
				return true
			}
			ipath, _ := strconv.Unquote(imp.Path.Value)
			if ipath == "testing" && (sel.Sel.Name == "B" || sel.Sel.Name == "TB") {
				bad = fmt.Errorf("%s uses testing.%s, which go-118-fuzz-build's testing lacks", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			if external && id.Name == base && strings.HasSuffix(ipath, "/"+dirBase(dir)) {
				return true
			}
			imports[id.Name] = imp
			return true
		})
		if bad != nil {
			return bad
		}
		body.Write(declText(fset, d, external, base))
		body.WriteString("\n\n")
	}
	var file bytes.Buffer
	fmt.Fprintf(&file, "// Code generated by .clusterfuzzlite/harness.go for %s; DO NOT EDIT.\n\npackage %s\n\nimport (\n", fn, internalPkg)
	keys := make([]string, 0, len(imports))
	for k := range imports {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		imp := imports[k]
		if imp.Name != nil {
			fmt.Fprintf(&file, "\t%s %s\n", imp.Name.Name, imp.Path.Value)
		} else {
			fmt.Fprintf(&file, "\t%s\n", imp.Path.Value)
		}
	}
	file.WriteString(")\n\n")
	file.Write(body.Bytes())
	src, err := format.Source(file.Bytes())
	if err != nil {
		return fmt.Errorf("generated file does not parse: %w", err)
	}
	if err := os.MkdirAll(stash, 0o755); err != nil {
		return err
	}
	for _, name := range names {
		if err := os.Rename(name, filepath.Join(stash, filepath.Base(name))); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, outName), src, 0o644)
}

func restoreStash(dir, stash string) error {
	if err := os.Remove(filepath.Join(dir, outName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	names, err := filepath.Glob(filepath.Join(stash, "*_test.go"))
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := os.Rename(name, filepath.Join(dir, filepath.Base(name))); err != nil {
			return err
		}
	}
	return nil
}

// declText is d's source text; with unqualify, every selector base.X in it
// is written X.
func declText(fset *token.FileSet, d decl, unqualify bool, base string) []byte {
	start := fset.Position(d.node.Pos()).Offset
	end := fset.Position(d.node.End()).Offset
	var cuts [][2]int // byte ranges of "base." to drop
	if unqualify && d.src.imports[base] != nil {
		ast.Inspect(d.node, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == base {
					cuts = append(cuts, [2]int{fset.Position(id.Pos()).Offset, fset.Position(sel.Sel.Pos()).Offset})
				}
			}
			return true
		})
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i][0] < cuts[j][0] })
	var b bytes.Buffer
	at := start
	for _, c := range cuts {
		b.Write(d.src.text[at:c[0]])
		at = c[1]
	}
	b.Write(d.src.text[at:end])
	return b.Bytes()
}

func isFuzz(d *ast.FuncDecl) bool {
	p := d.Type.Params.List
	if len(p) != 1 {
		return false
	}
	star, ok := p[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "F"
}

func recvType(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.IndexExpr:
		t2, _ := t.X.(*ast.Ident)
		if t2 != nil {
			return t2.Name
		}
	case *ast.IndexListExpr:
		t2, _ := t.X.(*ast.Ident)
		if t2 != nil {
			return t2.Name
		}
	case *ast.Ident:
		return t.Name
	}
	return ""
}

func specNames(s ast.Spec) []string {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return []string{s.Name.Name}
	case *ast.ValueSpec:
		var n []string
		for _, id := range s.Names {
			n = append(n, id.Name)
		}
		return n
	}
	return nil
}

func importName(imp *ast.ImportSpec) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	p, _ := strconv.Unquote(imp.Path.Value)
	base := path.Base(p)
	// gopkg.in/yaml.v3, example.com/x/v2: the package name is the element before.
	if strings.HasPrefix(base, "v") && len(base) > 1 && strings.Trim(base[1:], "0123456789") == "" {
		base = path.Base(path.Dir(p))
	}
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return strings.ReplaceAll(base, "-", "_")
}

func dirBase(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Base(dir)
	}
	return filepath.Base(abs)
}
