package rpc

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// connLimiter is a listener that bounds the open connections of the
// server, in total and per client address, and can close a connection by
// its remote address (a subscriber too slow to keep up). A connection over
// a bound is answered 503 with the bound's name and closed.
type connLimiter struct {
	net.Listener
	maxTotal, maxPerClient int
	log                    *slog.Logger

	mu       sync.Mutex
	total    int
	byClient map[string]int
	byRemote map[string]*limitedConn
}

func newConnLimiter(ln net.Listener, maxTotal, maxPerClient int, log *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, maxTotal: maxTotal, maxPerClient: maxPerClient, log: log,
		byClient: map[string]int{}, byRemote: map[string]*limitedConn{}}
}

// Accept returns the next connection within the bounds.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		lc, err := l.admit(c)
		if err == nil {
			return lc, nil
		}
		refuse(c, err)
	}
}

func (l *connLimiter) admit(c net.Conn) (net.Conn, error) {
	client := clientOf(c.RemoteAddr().String())
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.total >= l.maxTotal:
		return nil, fmt.Errorf("%w: %d connections are open, the most this node serves (rpc.max_connections)", ErrLimit, l.total)
	case l.byClient[client] >= l.maxPerClient:
		return nil, fmt.Errorf("%w: %s has %d connections open, the most one client may have (rpc.max_connections_per_client)", ErrLimit, client, l.byClient[client])
	}
	l.total++
	l.byClient[client]++
	lc := &limitedConn{Conn: c, l: l, client: client}
	l.byRemote[c.RemoteAddr().String()] = lc
	return lc, nil
}

// refuse answers an HTTP client why it was refused and closes the
// connection; a client that is not speaking HTTP sees the same text.
func refuse(c net.Conn, err error) {
	msg := err.Error() + "\n"
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(msg), msg)
	_ = c.Close()
}

// closeRemote resets the connection from the given remote address, if
// open: what the kernel still holds for it is discarded rather than sent
// (it is stale, for a subscriber that fell behind), so the client sees the
// reset at once. It reports whether such a connection was open.
func (l *connLimiter) closeRemote(remote string) bool {
	l.mu.Lock()
	c, ok := l.byRemote[remote]
	delete(l.byRemote, remote) // one caller resets it
	l.mu.Unlock()
	if !ok {
		return false
	}
	if tcp, isTCP := c.Conn.(*net.TCPConn); isTCP {
		_ = tcp.SetLinger(0)
	}
	_ = c.Close()
	return true
}

// clientOf returns the client (host) part of a remote address.
func clientOf(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

type limitedConn struct {
	net.Conn
	l      *connLimiter
	client string
	once   sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		defer c.l.mu.Unlock()
		c.l.total--
		if c.l.byClient[c.client]--; c.l.byClient[c.client] <= 0 {
			delete(c.l.byClient, c.client)
		}
		delete(c.l.byRemote, c.RemoteAddr().String())
	})
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
