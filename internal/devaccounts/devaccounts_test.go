package devaccounts

import "testing"

// The addresses every Ethereum development tool shows for the test mnemonic.
func TestDeriveKnownAddresses(t *testing.T) {
	accs, err := Derive(Mnemonic, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{
		0: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
		1: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
		2: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
		9: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
	}
	for i, addr := range want {
		if got := accs[i].Address.Hex(); got != addr {
			t.Errorf("account %d: got %s, want %s", i, got, addr)
		}
	}
	if got := accs[0].KeyHex(); got != "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" {
		t.Errorf("account 0 key: got %s", got)
	}
}
