package execution

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/genesis"
)

// A transaction that reaches message with a field the EVM cannot hold is
// skipped with ErrMessage; it never panics the node.
func TestMessageRefusesInsteadOfPanicking(t *testing.T) {
	e := NewExecutor(genesis.New(1337), Extensions{})
	huge := new(big.Int).Lsh(big.NewInt(1), 300)
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Gas: 21000, GasFeeCap: huge, GasTipCap: huge, To: &common.Address{1}, Value: new(big.Int)})
	if _, err := e.message(tx, common.Address{2}, new(big.Int)); !errors.Is(err, ErrMessage) {
		t.Fatalf("message of a 300-bit fee cap: %v", err)
	}
}
