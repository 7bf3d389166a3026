// Package types is the pledge book's rules and wire types, shared by its
// node side, its CLI and its tests: when a pledge opens, how a private
// pledge is sealed to its member, and what pledge_opensAt answers.
//
// A member writes a pledge (why they joined, what it means to them) with
// the day they joined. It is sealed as a time capsule until the next
// anniversary of that day, at midnight in the network's time zone, or until
// the anniversary a chosen number of years on; a 29 February anniversary
// opens on 28 February in other years. Once open, a public pledge is
// readable by everyone; a private one is also encrypted to the member's own
// key (ECIES on secp256k1, the curve of the member's account), so only the
// member can read it after it opens.
package types

import (
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/crypto/ecies"
)

// ErrDate: a joining day that is not a day, or is in the future.
var ErrDate = errors.New("invalid joining day")

// Day is a calendar day.
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDay reads a day written 2006-01-02.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Day{}, fmt.Errorf("%w: %q is not a day written YYYY-MM-DD", ErrDate, s)
	}
	return Day{t.Year(), t.Month(), t.Day()}, nil
}

func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Anniversary is the n-th anniversary of d: midnight in loc on the same
// month and day n years on, 28 February for a 29 February in a year that
// has none.
func (d Day) Anniversary(n int, loc *time.Location) time.Time {
	y := d.Year + n
	day := d.Day
	if d.Month == time.February && d.Day == 29 && !leap(y) {
		day = 28
	}
	return time.Date(y, d.Month, day, 0, 0, 0, 0, loc)
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// OpensAt is when a pledge written at now by a member who joined on d
// opens: the next anniversary of the joining day after now (years 0 or 1),
// or the one years-1 years after it (years 2: the anniversary after the
// next).
func OpensAt(d Day, years int, now time.Time, loc *time.Location) (time.Time, error) {
	if years < 0 || years > 200 {
		return time.Time{}, fmt.Errorf("%w: %d years: 0 (the next anniversary) to 200", ErrDate, years)
	}
	joined := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	if joined.After(now) {
		return time.Time{}, fmt.Errorf("%w: %s is after today", ErrDate, d)
	}
	n := 1
	for !d.Anniversary(n, loc).After(now) {
		n++
	}
	if years > 1 {
		n += years - 1
	}
	return d.Anniversary(n, loc), nil
}

// SealToMember encrypts plain to the member's public key (ECIES), for a
// private pledge.
func SealToMember(pub *ecdsa.PublicKey, plain []byte) ([]byte, error) {
	ct, err := ecies.Encrypt(rand.Reader, ecies.ImportECDSAPublic(pub), plain, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("pledge: seal to the member: %w", err)
	}
	return ct, nil
}

// OpenAsMember decrypts what SealToMember sealed, with the member's key.
func OpenAsMember(key *ecdsa.PrivateKey, ct []byte) ([]byte, error) {
	plain, err := ecies.ImportECDSA(key).Decrypt(ct, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("pledge: this private pledge is not sealed to this key: %w", err)
	}
	return plain, nil
}
