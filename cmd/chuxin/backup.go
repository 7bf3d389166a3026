package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/backup"
	"github.com/chuxin-chain/chuxin/internal/keys"
)

func backupCmd() *cobra.Command {
	var home, out, password string
	var encrypt bool
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Write what a node's home cannot get back from the network (config/: keys, beacon share, signing state) to an archive",
		Long: `backup writes a node's config/ (its p2p and consensus keys, the beacon share
and the key it was sealed to, the signing state, chuxin.toml, the genesis and
its part) to a gzip-compressed tar archive with mode 0600, never over an
existing file. The chain data (data/) is left out: a restored node syncs it
from its peers. --encrypt encrypts the archive with a passphrase (age's
scrypt format; "age -d" opens it too).

The node may be running. A backup's signing state is then a few blocks old;
a validator restored from it still never signs a vote that conflicts with
one it signed: it signs nothing until it has caught up past every height
the network committed. Make a backup after the ceremony and after every
key change (rotation, a new beacon share); keep it off the machine.`,
		Example: `  chuxin backup --home ./beijing --out beijing-backup.tar.gz.age --encrypt
  chuxin restore --home ./beijing beijing-backup.tar.gz.age`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if home == "" || out == "" {
				return fmt.Errorf("pass --home HOME and --out FILE")
			}
			var o backup.Options
			if encrypt || password != "" {
				p, err := keys.Passphrase(password, "Passphrase for the backup", true)
				if err != nil {
					return err
				}
				if p == "" {
					return keys.ErrEmptyPassphrase
				}
				o.Passphrase = p
			}
			var buf bytes.Buffer
			m, err := backup.Write(home, &buf, o)
			if err != nil {
				return err
			}
			if err := keys.WriteNew(out, buf.Bytes()); err != nil {
				return err
			}
			enc := "not encrypted: keep it where only you can read it"
			if o.Passphrase != "" {
				enc = "encrypted with the passphrase"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (mode 0600, %s)\nnode %s, id %s, network %s\nfiles: %s\nsecrets among them: %s\n",
				out, enc, m.Moniker, m.NodeID, m.Network, strings.Join(m.Files, " "), strings.Join(m.Secrets, " "))
			if m.ConsensusAddress != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "consensus key %s, signing state at height %d\n", m.ConsensusAddress, m.SignedHeight)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&home, "home", "", "the node's home")
	f.StringVar(&out, "out", "", "the archive to write (must not exist)")
	f.BoolVar(&encrypt, "encrypt", false, "encrypt the archive with a passphrase (asked at the terminal, or --password)")
	f.StringVar(&password, "password", "", "file whose first line is the passphrase (implies --encrypt)")
	return cmd
}

func restoreCmd() *cobra.Command {
	var home, password string
	cmd := &cobra.Command{
		Use:   "restore ARCHIVE",
		Short: "Put a backup's config/ into a new home; the node then syncs its data from its peers",
		Long: `restore writes a backup (chuxin backup) into a home that has no config/ yet,
with the modes a home gives its files (secrets 0600). Start the node as
before: it syncs the chain from its peers, and a validator signs nothing
until it has caught up past every height the network committed.

Never run the restored node beside the original: two processes with one
consensus key sign conflicting votes, and the evidence removes the
validator. Stop the old one for good first.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if home == "" {
				return fmt.Errorf("pass --home HOME: the new home to restore into")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(io.LimitReader(f, backup.MaxArchive+1)); err != nil {
				return err
			}
			if buf.Len() > backup.MaxArchive {
				return fmt.Errorf("%s: %w: over %d bytes, more than a home's config/ makes", args[0], backup.ErrNotABackup, backup.MaxArchive)
			}
			pass := ""
			if backup.Encrypted(bufioReader(buf.Bytes())) {
				if pass, err = keys.Passphrase(password, "Passphrase of the backup", false); err != nil {
					return err
				}
			}
			m, err := backup.Restore(home, bytes.NewReader(buf.Bytes()), pass)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s (made %s) into %s\nnode %s, id %s, network %s\n",
				args[0], m.Created, home, m.Moniker, m.NodeID, m.Network)
			if m.ConsensusAddress != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "consensus key %s, signing state at height %d: it signs again once caught up with the network\n", m.ConsensusAddress, m.SignedHeight)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "start it: chuxin start --home %s\n", home)
			return nil
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "the home to restore into (must have no config/)")
	cmd.Flags().StringVar(&password, "password", "", "file whose first line is the backup's passphrase (default: ask at the terminal)")
	return cmd
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
