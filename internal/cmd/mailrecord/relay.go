package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// run relays and records up to cfg.sessions sessions. It returns once every
// session it started has ended, so no goroutine outlives it. It fails when
// the listener fails, when cfg.timeout expires before cfg.sessions sessions
// were accepted, or when a session could not be relayed or recorded; a
// canceled ctx (a signal) is a normal stop.
func run(ctx context.Context, cfg config, logf func(string, ...any)) error {
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	if cfg.readyFile != "" {
		if err := os.WriteFile(cfg.readyFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			return err
		}
	}
	timeoutCtx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()

	var (
		wg       sync.WaitGroup
		active   sync.Map // *session -> struct{}
		failed   atomic.Int32
		accepted = make(chan int, 1)
	)
	go func() {
		n := 0
		for ; n < cfg.sessions; n++ {
			conn, err := ln.Accept()
			if err != nil {
				break
			}
			s := newSession(cfg, n+1, conn)
			active.Store(s, struct{}{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer active.Delete(s)
				if err := s.relay(); err != nil {
					failed.Add(1)
					logf("session %d: %v", s.n, err)
				}
			}()
		}
		accepted <- n
	}()

	var n int
	select {
	case n = <-accepted:
	case <-timeoutCtx.Done():
		ln.Close()
		n = <-accepted
	}
	ended := make(chan struct{})
	go func() { wg.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-timeoutCtx.Done():
		select {
		case <-ended:
		case <-time.After(cfg.grace):
			active.Range(func(s, _ any) bool { s.(*session).cut(); return true })
			<-ended
		}
	}

	switch {
	case n < cfg.sessions && ctx.Err() == nil && errors.Is(timeoutCtx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("timed out after %v with %d of %d sessions", cfg.timeout, n, cfg.sessions)
	case failed.Load() > 0:
		return fmt.Errorf("%d of %d sessions failed", failed.Load(), n)
	}
	logf("recorded %d session(s) to %s", n, cfg.outDir)
	return nil
}
