package ceremony

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/cometbft/cometbft/p2p"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/keys"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Installed is what Install found and did, for the operator to read.
type Installed struct {
	ChainID    string   // CometBFT chain ID
	Hash       string   // the genesis hash, now in the configuration
	Validators int      // validators at genesis
	Members    int      // consortium members at genesis
	Validator  bool     // this node is one of the validators
	Joining    bool     // the node joins a running network (Join): a proposal must admit it
	Peers      []string // id@host:port of the other nodes, now its persistent peers
	// BeaconThreshold and BeaconHolders: how many of the validators holding
	// the capsules' shares must act together to open a capsule before its
	// time (0 and 0: no beacon).
	BeaconThreshold, BeaconHolders int
	// Warnings are what the operator should know before starting: a
	// threshold of 1 among several validators, say.
	Warnings []string
	// Grants are the genesis's grants of power (GrantsOf).
	Grants *Grants
}

// Install checks a genesis file against the published hash and against the
// part this home gave the ceremony, then installs it: config/genesis.json,
// genesis_hash and the other nodes as persistent peers. A home whose chain
// has started on another genesis is refused.
func Install(home string, genesisJSON []byte, publishedHash string) (*Installed, error) {
	return InstallExpecting(home, genesisJSON, publishedHash, nil)
}

// InstallExpecting is Install that also refuses a genesis that breaks the
// operator's policy (nil: none). Both refuse a genesis that grants power
// no member should accept (checkGrants).
func InstallExpecting(home string, genesisJSON []byte, publishedHash string, policy *Policy) (*Installed, error) {
	return install(home, genesisJSON, publishedHash, policy, nil)
}

// Join installs, in a home made by chuxin init, the genesis of a network
// that runs already and does not name this node: an organisation that
// joins after genesis. The genesis is checked against its published hash
// and for grants no member should accept, as Install checks it; then it
// is installed with the given peers (id@host:port, nodes of the running
// network, at least one) and the genesis nodes' addresses as persistent
// peers. The node connects once a proposal has admitted it
// (JoinActions); a home that the genesis names is refused: install it.
func Join(home string, genesisJSON []byte, publishedHash string, peers []string) (*Installed, error) {
	if peers == nil {
		peers = []string{}
	}
	self := ""
	if nk, err := p2p.LoadNodeKey(config.NodeKeyFile(home)); err == nil {
		self = string(nk.ID())
	}
	for _, p := range peers {
		id, addr, ok := strings.Cut(p, "@")
		host, port, err := net.SplitHostPort(addr)
		if _, idErr := system.ParseNodeID(id); !ok || idErr != nil || err != nil || host == "" || port == "" {
			return nil, fmt.Errorf("%w: peer %q: write NODE_ID@HOST:PORT (chuxin identity --home HOME on that node shows its ID)", ErrPart, p)
		}
		if strings.EqualFold(id, self) {
			return nil, fmt.Errorf("%w: peer %q is this node itself: name nodes of the running network", ErrPart, p)
		}
	}
	return install(home, genesisJSON, publishedHash, nil, peers)
}

// install is Install (peers nil) and Join (peers not nil).
func install(home string, genesisJSON []byte, publishedHash string, policy *Policy, joinPeers []string) (*Installed, error) {
	joining := joinPeers != nil
	want := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(publishedHash), "0x"))
	if want == "" {
		return nil, fmt.Errorf("%w: no published hash given: ask the coordinator for the hash `chuxin genesis assemble` printed, and compare it through a channel other than the one the file came by", ErrHashMismatch)
	}
	if got := Hash(genesisJSON); got != want {
		return nil, fmt.Errorf("%w: the file's SHA-256 is %s, the published hash %s: it was changed, or is from another ceremony; get it again", ErrHashMismatch, got, want)
	}
	doc, g, err := Check(genesisJSON)
	if err != nil {
		return nil, err
	}
	part, err := ReadPart(config.PartFile(home))
	if err != nil {
		return nil, fmt.Errorf("%w (is %s a home made by `chuxin init`?)", err, home)
	}
	if err := checkHomeKeys(home, part); err != nil {
		return nil, err
	}
	inGenesis := slices.ContainsFunc(g.Consortium.Nodes, func(n system.Node) bool { return n.ID == part.NodeID })
	switch {
	case joining && inGenesis:
		return nil, fmt.Errorf("%w: node %s (%s) is in this genesis: install it with chuxin genesis install", ErrPart, part.NodeID, part.Moniker)
	case !joining:
		if err := holds(g, part); err != nil {
			if !inGenesis {
				err = fmt.Errorf("%w; a node that joins a running network installs its genesis with chuxin join --peers, then a proposal admits it (chuxin gov propose --join PART.json)", err)
			}
			return nil, err
		}
	}
	grants := GrantsOf(g)
	member := ""
	if part.Member != nil && !joining {
		member = part.Member.Name
	}
	if err := checkGrants(g, grants, member, policy); err != nil {
		return nil, err
	}
	var share *capsule.Share
	if g.Beacon != nil && part.Power > 0 && !joining {
		if share, err = openShare(home, g.Beacon, part); err != nil {
			return nil, err
		}
	}
	c, err := config.Load(home)
	if err != nil {
		return nil, err
	}
	if c.GenesisHash != "" && c.GenesisHash != want {
		if _, err := os.Stat(filepath.Join(home, "data", "chuxin.db")); err == nil {
			return nil, fmt.Errorf("%w: %s runs a chain of genesis %s already; a node joins one network: make a new home for this one", ErrHomeExists, home, c.GenesisHash)
		}
	}
	out := &Installed{ChainID: doc.ChainID, Hash: want, Validators: len(g.Validators), Members: len(g.Consortium.Members),
		Validator: part.Power > 0 && !joining, Joining: joining, Grants: grants}
	if b := g.Beacon; b != nil {
		out.BeaconThreshold, out.BeaconHolders = b.Threshold, len(b.Holders)
		if b.Threshold == 1 && len(b.Holders) > 1 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the beacon's threshold is 1 of %d: every validator holds the master secret and can open every capsule and pledge at once", len(b.Holders)))
		}
		if joining && part.Power > 0 {
			out.Warnings = append(out.Warnings, "this validator holds no share of the beacon: the committee is fixed at genesis until resharing exists, so it releases no epoch keys")
		}
	}
	for _, p := range joinPeers {
		if !slices.Contains(out.Peers, p) {
			out.Peers = append(out.Peers, p)
		}
	}
	for _, n := range g.Consortium.Nodes {
		p := n.ID + "@" + n.Address
		if n.ID != part.NodeID && n.Address != "" && !slices.ContainsFunc(out.Peers, func(q string) bool { return strings.HasPrefix(q, n.ID+"@") }) {
			out.Peers = append(out.Peers, p)
		}
	}
	if share != nil {
		if err := capsule.SaveShare(config.BeaconShareFile(home), *share); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(config.GenesisFile(home), genesisJSON, 0o644); err != nil {
		return nil, fmt.Errorf("write genesis: %w", err)
	}
	c.GenesisHash = want
	c.P2P.PersistentPeers = strings.Join(out.Peers, ",")
	if err := c.Save(home); err != nil {
		return nil, err
	}
	return out, nil
}

// checkHomeKeys refuses a part that is not the home's own: its node ID and
// consensus key must be those of the keys in the home.
func checkHomeKeys(home string, part *Part) error {
	nk, err := p2p.LoadNodeKey(config.NodeKeyFile(home))
	if err != nil {
		return fmt.Errorf("node key of %s: %w", home, err)
	}
	if _, err := os.Stat(config.ConsensusKeyFile(home)); err != nil {
		return fmt.Errorf("consensus key of %s: %w", home, err)
	}
	k, err := keys.LoadConsensusKey(config.ConsensusKeyFile(home))
	if err != nil {
		return fmt.Errorf("consensus key of %s: %w", home, err)
	}
	pub := k.PubKey
	if string(nk.ID()) != part.NodeID || !bytes.Equal(pub.Bytes(), part.ConsensusPubKey) {
		return fmt.Errorf("%w: %s does not match the keys of %s: it is another node's part", ErrPart, config.PartFile(home), home)
	}
	return nil
}

// holds reports how g leaves out or changes part.
func holds(g *genesis.Genesis, part *Part) error {
	i := slices.IndexFunc(g.Consortium.Nodes, func(n system.Node) bool { return n.ID == part.NodeID })
	if i < 0 {
		return fmt.Errorf("%w: node %s (%s) is not among the admitted nodes", ErrNotInGenesis, part.NodeID, part.Moniker)
	}
	if n := g.Consortium.Nodes[i]; n.Address != part.Address {
		return fmt.Errorf("%w: the genesis gives node %s the address %q, its part %q", ErrNotInGenesis, part.Moniker, n.Address, part.Address)
	}
	member := ""
	if part.Member != nil {
		member = part.Member.Name
	}
	if n := g.Consortium.Nodes[i]; n.Member != "" && n.Member != member {
		return fmt.Errorf("%w: the genesis says member %q runs node %s, its part %q", ErrNotInGenesis, n.Member, part.Moniker, member)
	}
	j := slices.IndexFunc(g.Validators, func(v genesis.Validator) bool { return bytes.Equal(v.PubKey, part.ConsensusPubKey) })
	switch {
	case part.Power == 0 && j >= 0:
		return fmt.Errorf("%w: %s is an observer, but the genesis makes its key a validator with power %d", ErrNotInGenesis, part.Moniker, g.Validators[j].Power)
	case part.Power > 0 && j < 0:
		return fmt.Errorf("%w: %s is a validator with power %d, but its consensus key is not among the genesis validators", ErrNotInGenesis, part.Moniker, part.Power)
	case part.Power > 0 && g.Validators[j].Node != "" && !strings.EqualFold(g.Validators[j].Node, part.NodeID):
		return fmt.Errorf("%w: the genesis says validator %s signs on node %s, its part on %s", ErrNotInGenesis, part.Moniker, g.Validators[j].Node, part.NodeID)
	case part.Power > 0 && (g.Validators[j].Power != part.Power || g.Validators[j].FeeRecipient != part.FeeRecipient):
		return fmt.Errorf("%w: the genesis gives validator %s power %d and fee recipient %s, its part power %d and %s",
			ErrNotInGenesis, part.Moniker, g.Validators[j].Power, g.Validators[j].FeeRecipient, part.Power, part.FeeRecipient)
	}
	if m := part.Member; m != nil {
		k := slices.IndexFunc(g.Consortium.Members, func(have system.Member) bool { return have.Name == m.Name })
		if k < 0 {
			return fmt.Errorf("%w: member %q is not in the consortium", ErrNotInGenesis, m.Name)
		}
		if have := g.Consortium.Members[k]; have.Weight != m.Weight || !slices.Equal(have.Governors, m.Governors) {
			return fmt.Errorf("%w: the genesis gives member %q weight %d and governors %v, its part weight %d and governors %v",
				ErrNotInGenesis, m.Name, have.Weight, have.Governors, m.Weight, m.Governors)
		}
	}
	for _, r := range part.Roles {
		if !slices.ContainsFunc(g.Consortium.Roles, func(have system.RoleGrant) bool {
			return have.Account == r.Account && slices.Equal(have.Roles, r.Roles)
		}) {
			return fmt.Errorf("%w: the roles %v of %s are not granted", ErrNotInGenesis, r.Roles, r.Account)
		}
	}
	return nil
}

// openShare opens the beacon share the assembler sealed to this home's
// share key and checks it against its public share.
func openShare(home string, b *capsule.Beacon, part *Part) (*capsule.Share, error) {
	i := slices.IndexFunc(b.Holders, func(h capsule.Holder) bool { return bytes.Equal(h.Validator, part.ConsensusPubKey) })
	if i < 0 {
		return nil, fmt.Errorf("%w: validator %s holds no beacon share", ErrNotInGenesis, part.Moniker)
	}
	keyText, err := os.ReadFile(config.ShareKeyFile(home))
	if err != nil {
		return nil, fmt.Errorf("share key of %s: %w", home, err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(keyText))
	if err != nil {
		return nil, fmt.Errorf("share key of %s: %w", home, err)
	}
	r, err := age.Decrypt(armor.NewReader(strings.NewReader(b.Holders[i].SealedShare)), ids...)
	if err != nil {
		return nil, fmt.Errorf("%w: the beacon share of %s does not open with this home's share key: %v", ErrNotInGenesis, part.Moniker, err)
	}
	var share capsule.Share
	if err := json.NewDecoder(io.LimitReader(r, 4096)).Decode(&share); err != nil {
		return nil, fmt.Errorf("%w: the beacon share of %s: %v", ErrNotInGenesis, part.Moniker, err)
	}
	pub, err := capsule.ParsePublicKey(b.Holders[i].PublicShare)
	if err != nil {
		return nil, err
	}
	if share.Index != uint32(i+1) || !share.Key.PublicKey().Equal(pub) {
		return nil, fmt.Errorf("%w: the beacon share sealed to %s is not holder %d's public share", ErrNotInGenesis, part.Moniker, i+1)
	}
	return &share, nil
}
