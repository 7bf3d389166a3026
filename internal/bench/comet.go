package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// cometTarget loads a CometBFT node running the kvstore application through
// its RPC (broadcast_tx_sync in JSON-RPC batches): the ceiling that
// consensus alone allows, without an EVM.
type cometTarget struct {
	url     string
	http    *http.Client
	seed    uint64
	counter []uint64
}

type cometReq struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int    `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

type cometResp struct {
	ID     int             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

func (t *cometTarget) call(ctx context.Context, reqs []cometReq) ([]cometResp, error) {
	body, _ := json.Marshal(reqs)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("cometbft rpc reply: %w", err)
	}
	var out []cometResp
	if len(body) > 0 && body[0] == '{' { // CometBFT answers a batch of one with a plain object
		out = make([]cometResp, 1)
		err = json.Unmarshal(body, &out[0])
	} else {
		err = json.Unmarshal(body, &out)
	}
	if err != nil {
		return nil, fmt.Errorf("cometbft rpc reply: %w", err)
	}
	if len(out) != len(reqs) {
		if len(out) == 1 && out[0].Error != nil {
			return nil, fmt.Errorf("cometbft refused the batch of %d: %s %s (raise rpc.max_request_batch_size)", len(reqs), out[0].Error.Message, out[0].Error.Data)
		}
		return nil, fmt.Errorf("cometbft answered %d of %d requests", len(out), len(reqs))
	}
	byID := make([]cometResp, len(reqs))
	for _, r := range out {
		if r.ID >= 0 && r.ID < len(reqs) {
			byID[r.ID] = r
		}
	}
	return byID, nil
}

func (t *cometTarget) one(ctx context.Context, method string, params any, result any) error {
	out, err := t.call(ctx, []cometReq{{JSONRPC: "2.0", ID: 0, Method: method, Params: params}})
	if err != nil {
		return err
	}
	if e := out[0].Error; e != nil {
		return fmt.Errorf("%s: %s %s", method, e.Message, e.Data)
	}
	return json.Unmarshal(out[0].Result, result)
}

func (t *cometTarget) Setup(ctx context.Context, o *Options, log io.Writer) (string, error) {
	t.url, t.http, t.seed = o.URL, &http.Client{}, o.Seed
	t.counter = make([]uint64, o.Senders)
	var st struct {
		NodeInfo struct {
			Version string `json:"version"`
		} `json:"node_info"`
	}
	if err := t.one(ctx, "status", map[string]any{}, &st); err != nil {
		return "", fmt.Errorf("connect to %s: %w", o.URL, err)
	}
	return "CometBFT/v" + st.NodeInfo.Version + "/kvstore", nil
}

// Build makes a unique key=value transaction of about the size of a signed
// Ethereum transfer.
func (t *cometTarget) Build(a int) (built, error) {
	n := t.counter[a]
	t.counter[a]++
	tx := fmt.Appendf(nil, "bench%d-%d-%d=%064x", t.seed, a, n, sha256.Sum256([]byte(strconv.FormatUint(n, 10))))
	return built{id: sha256.Sum256(tx), raw: tx, nonce: n}, nil
}

func (t *cometTarget) Rewind(int, uint64) {}

func (t *cometTarget) Send(ctx context.Context, raws [][]byte) ([]error, error) {
	reqs := make([]cometReq, len(raws))
	for i, raw := range raws {
		reqs[i] = cometReq{JSONRPC: "2.0", ID: i, Method: "broadcast_tx_sync", Params: map[string]any{"tx": base64.StdEncoding.EncodeToString(raw)}}
	}
	out, err := t.call(ctx, reqs)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(raws))
	for i, r := range out {
		if r.Error != nil {
			errs[i] = fmt.Errorf("%s: %s", r.Error.Message, r.Error.Data)
			continue
		}
		var res struct {
			Code uint32 `json:"code"`
			Log  string `json:"log"`
		}
		if json.Unmarshal(r.Result, &res) == nil && res.Code != 0 {
			errs[i] = fmt.Errorf("code %d: %s", res.Code, res.Log)
		}
	}
	return errs, nil
}

func (t *cometTarget) Head(ctx context.Context) (uint64, error) {
	var st struct {
		SyncInfo struct {
			Height string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if err := t.one(ctx, "status", map[string]any{}, &st); err != nil {
		return 0, err
	}
	return strconv.ParseUint(st.SyncInfo.Height, 10, 64)
}

func (t *cometTarget) BlockTxs(ctx context.Context, height uint64) ([]txID, error) {
	var b struct {
		Block struct {
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := t.one(ctx, "block", map[string]any{"height": strconv.FormatUint(height, 10)}, &b); err != nil {
		return nil, err
	}
	ids := make([]txID, len(b.Block.Data.Txs))
	for i, tx := range b.Block.Data.Txs {
		ids[i] = sha256.Sum256(tx)
	}
	return ids, nil
}

// Pending returns how many transactions CometBFT's mempool holds.
func (t *cometTarget) Pending(ctx context.Context) (int, bool, error) {
	var st struct {
		N string `json:"n_txs"`
	}
	if err := t.one(ctx, "num_unconfirmed_txs", map[string]any{}, &st); err != nil {
		return 0, false, err
	}
	n, err := strconv.Atoi(st.N)
	return n, err == nil, err
}
