package keys

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ErrPassphrasesDiffer: the two passphrases typed to make a key differ.
var ErrPassphrasesDiffer = errors.New("the passphrases differ")

// Passphrase returns the passphrase of a keystore file: the first line of
// file when one is named (as geth's --password reads it), else what the user
// types at the terminal, asked twice when confirm is set. Nothing typed is
// echoed. Without a file and without a terminal it is ErrNoPassphrase: a
// script must name a file, never pass the passphrase itself.
func Passphrase(file, prompt string, confirm bool) (string, error) {
	if file != "" {
		raw, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--password: %w", err)
		}
		line, _, _ := strings.Cut(string(raw), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", ErrNoPassphrase
	}
	read := func(p string) (string, error) {
		fmt.Fprint(os.Stderr, p)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the passphrase: %w", err)
		}
		return string(b), nil
	}
	p, err := read(prompt + ": ")
	if err != nil || !confirm {
		return p, err
	}
	again, err := read("Repeat it: ")
	if err != nil {
		return "", err
	}
	if again != p {
		return "", ErrPassphrasesDiffer
	}
	return p, nil
}
