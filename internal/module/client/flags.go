package client

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/keys"
)

// ErrKeyFlags: more than one way to the account's key was given.
var ErrKeyFlags = errors.New("pass one of --keystore, --key and --dev-account")

// Flags are the flags every client command takes: the node to talk to,
// the account's key, and the output format.
type Flags struct {
	RPC        string
	KeyFile    string
	Keystore   string
	Password   string
	DevAccount int
	JSON       bool
}

// Add adds the flags to cmd and its subcommands.
func (f *Flags) Add(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.RPC, "rpc", "http://127.0.0.1:8545", "JSON-RPC endpoint of a node of the network")
	fl.StringVar(&f.Keystore, "keystore", "", "the account's keystore file (see chuxin keys)")
	fl.StringVar(&f.Password, "password", "", "file whose first line is the keystore's passphrase (default: ask at the terminal)")
	fl.StringVar(&f.KeyFile, "key", "", "file holding the account's private key as hex (tests and development networks)")
	fl.IntVar(&f.DevAccount, "dev-account", -1, "use development account N of the test mnemonic (devnet and testnet only)")
	fl.BoolVar(&f.JSON, "json", false, "print JSON for scripts")
}

// Key loads the account's key from the flag that names it; nil when none
// does (a read-only client).
func (f *Flags) Key() (*ecdsa.PrivateKey, error) {
	given := 0
	for _, set := range []bool{f.KeyFile != "", f.Keystore != "", f.DevAccount >= 0} {
		if set {
			given++
		}
	}
	switch {
	case given > 1:
		return nil, ErrKeyFlags
	case f.Keystore != "":
		pass, err := keys.Passphrase(f.Password, "Passphrase of "+f.Keystore, false)
		if err != nil {
			return nil, err
		}
		return keys.LoadKeystore(f.Keystore, pass)
	case f.KeyFile != "":
		return keys.LoadHex(f.KeyFile)
	case f.DevAccount >= 0:
		accs, err := devaccounts.Derive(devaccounts.Mnemonic, f.DevAccount+1)
		if err != nil {
			return nil, err
		}
		return accs[f.DevAccount].Key, nil
	}
	return nil, nil
}

// Dial connects to the node with the account's key, if one is given.
func (f *Flags) Dial(ctx context.Context) (*Client, error) {
	k, err := f.Key()
	if err != nil {
		return nil, err
	}
	return Dial(ctx, f.RPC, k)
}

// Print writes v as indented JSON with --json, else text.
func (f *Flags) Print(w io.Writer, v any, text string) error {
	if f.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := io.WriteString(w, text)
	return err
}

// Read runs a read-only query on a client of the node and prints what it
// returns: v as JSON with --json, else text.
func (f *Flags) Read(cmd *cobra.Command, query func(ctx context.Context, c *Client) (v any, text string, err error)) error {
	c, err := f.Dial(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	v, text, err := query(cmd.Context(), c)
	if err != nil {
		return err
	}
	return f.Print(cmd.OutOrStdout(), v, text)
}
