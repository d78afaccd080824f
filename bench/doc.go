// Package bench compares mailwire with other mail libraries on the same
// bytes. It has only benchmarks; see README.md.
package bench
