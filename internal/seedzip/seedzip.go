// Package seedzip reads and writes the seed corpus zips of OSS-Fuzz and
// ClusterFuzzLite ($OUT/NAME_seed_corpus.zip): one input per file. fuzz/seeds
// writes them from the committed corpora and the recorded sessions;
// .clusterfuzzlite/seeds.go re-encodes them for go-118-fuzz-build.
package seedzip

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// Write writes inputs to a zip at path, one file each, without duplicates
// or empty inputs (libFuzzer runs the empty input on its own), sorted, so
// the same inputs always make the same bytes.
func Write(path string, inputs [][]byte) error {
	seen := map[string]bool{}
	var unique [][]byte
	for _, in := range inputs {
		if len(in) > 0 && !seen[string(in)] {
			seen[string(in)] = true
			unique = append(unique, in)
		}
	}
	sort.Slice(unique, func(i, j int) bool { return bytes.Compare(unique[i], unique[j]) < 0 })
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for i, in := range unique {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("seed-%04d", i), Method: zip.Deflate})
		if err == nil {
			_, err = w.Write(in)
		}
		if err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Read returns every input of the zip at path, in its order; a missing
// file is no inputs.
func Read(path string) ([][]byte, error) {
	zr, err := zip.OpenReader(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var out [][]byte
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
