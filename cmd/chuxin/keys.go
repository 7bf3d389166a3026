package main

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/keys"
)

func keysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make, list, import and export account keys (keystore files)",
		Long: `Account keys (a governor's, a regulator's, an issuer's) are kept in keystore
files: the Web3 Secret Storage format (version 3, scrypt) that geth, ethers
and wallets read. Every command that signs takes one with --keystore FILE
and its passphrase with --password FILE, or asks for it at the terminal.

A passphrase is never taken on the command line: it would stay in the shell's
history and in the process list. --password names a file whose first line is
the passphrase; keep it mode 0600, or leave it out and type it.

Node keys (node_key.json, priv_validator_key.json, the beacon share) are not
account keys: they live in the node's home (see "What to back up" in the
README).`,
	}
	cmd.AddCommand(keysNewCmd(), keysListCmd(), keysImportCmd(), keysExportCmd(), keysAddressCmd())
	return cmd
}

// kdfFlag adds --light-kdf and returns what it chose.
func kdfFlag(cmd *cobra.Command) func() keys.KDF {
	light := cmd.Flags().Bool("light-kdf", false, "a cheap key derivation (geth's --lightkdf), for tests and development networks only")
	return func() keys.KDF {
		if *light {
			return keys.Light
		}
		return keys.Standard
	}
}

func keysNewCmd() *cobra.Command {
	var dir, password string
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Make a new account key in a keystore directory",
		Example: `  chuxin keys new --dir ./keystore
  chuxin keys new --dir ./keystore --password ./pass.txt`,
		Args: cobra.NoArgs,
	}
	kdf := kdfFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		pass, err := keys.Passphrase(password, "Passphrase for the new key", true)
		if err != nil {
			return err
		}
		k, err := crypto.GenerateKey()
		if err != nil {
			return err
		}
		if err := storeKey(cmd, dir, k, pass, kdf()); err != nil {
			return err
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "Back up the keystore file and remember the passphrase: without both the account is lost.")
		return nil
	}
	cmd.Flags().StringVar(&dir, "dir", "keystore", "keystore directory")
	cmd.Flags().StringVar(&password, "password", "", "file whose first line is the passphrase (default: ask at the terminal)")
	return cmd
}

func keysListCmd() *cobra.Command {
	var dir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the keystore files of a directory and their addresses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			es, err := keys.List(dir)
			if err != nil {
				return err
			}
			if asJSON {
				if es == nil {
					es = []keys.Entry{}
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(es)
			}
			var b strings.Builder
			for _, e := range es {
				fmt.Fprintf(&b, "%s  %s\n", e.Address, e.Path)
			}
			if len(es) == 0 {
				fmt.Fprintf(&b, "no keystore files in %s\n", dir)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), b.String())
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "keystore", "keystore directory")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON for scripts")
	return cmd
}

func keysImportCmd() *cobra.Command {
	var dir, password string
	cmd := &cobra.Command{
		Use:   "import KEYFILE",
		Short: "Encrypt a private key (a file of 64 hex digits) into a keystore file",
		Long: `import reads a file holding a private key as 64 hex digits (what --key takes)
and writes it, encrypted with a passphrase, into the keystore directory. Remove
the hex file afterwards: it is the key in the clear.`,
		Example: `  chuxin keys import --dir ./keystore ./governor.hex`,
		Args:    cobra.ExactArgs(1),
	}
	kdf := kdfFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		k, err := keys.LoadHex(args[0])
		if err != nil {
			return err
		}
		pass, err := keys.Passphrase(password, "Passphrase for the imported key", true)
		if err != nil {
			return err
		}
		return storeKey(cmd, dir, k, pass, kdf())
	}
	cmd.Flags().StringVar(&dir, "dir", "keystore", "keystore directory")
	cmd.Flags().StringVar(&password, "password", "", "file whose first line is the passphrase (default: ask at the terminal)")
	return cmd
}

func keysExportCmd() *cobra.Command {
	var keystore, password, out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a keystore file's private key in the clear (hex) to a new file",
		Long: `export decrypts a keystore file and writes its private key, 64 hex digits, to
--out with mode 0600. It never prints the key and never overwrites a file.`,
		Example: `  chuxin keys export --keystore ./keystore/UTC--… --out ./governor.hex`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keystore == "" || out == "" {
				return fmt.Errorf("pass --keystore FILE and --out FILE")
			}
			pass, err := keys.Passphrase(password, "Passphrase of "+keystore, false)
			if err != nil {
				return err
			}
			k, err := keys.LoadKeystore(keystore, pass)
			if err != nil {
				return err
			}
			if err := keys.WriteNew(out, []byte(keys.Hex(k)+"\n")); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "address %s\nwrote %s (mode 0600)\n", crypto.PubkeyToAddress(k.PublicKey), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&keystore, "keystore", "", "the keystore file")
	cmd.Flags().StringVar(&password, "password", "", "file whose first line is the passphrase (default: ask at the terminal)")
	cmd.Flags().StringVar(&out, "out", "", "file to write the hex key to (must not exist)")
	return cmd
}

func keysAddressCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "address FILE",
		Short: "Print the address of a key file (keystore or hex) without decrypting it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := keys.Address(args[0])
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), a)
			return err
		},
	}
}

// storeKey writes k into the keystore directory and prints its address and
// file.
func storeKey(cmd *cobra.Command, dir string, k *ecdsa.PrivateKey, pass string, kdf keys.KDF) error {
	path, err := keys.Store(dir, k, pass, kdf)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "address %s\nkeystore %s\n", crypto.PubkeyToAddress(k.PublicKey), path)
	return err
}
