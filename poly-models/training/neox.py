"""GPT-NeoX (the Pythia architecture) in plain PyTorch, with Hugging Face's file layout.

Module tree and tensor names are those of transformers' GPTNeoXForCausalLM, so `state_dict()`
is a Hugging Face checkpoint as it is:

  gpt_neox.embed_in.weight                         [V, d]
  gpt_neox.layers.N.input_layernorm.{weight,bias}  [d]
  gpt_neox.layers.N.post_attention_layernorm.*     [d]
  gpt_neox.layers.N.attention.query_key_value.*    [3d, d], [3d]  fused per head: rows
                                                   h*3*dh + [0,dh) = q, [dh,2dh) = k, [2dh,3dh) = v
  gpt_neox.layers.N.attention.dense.*              [d, d], [d]
  gpt_neox.layers.N.mlp.dense_h_to_4h.*            [ff, d], [ff]
  gpt_neox.layers.N.mlp.dense_4h_to_h.*            [d, ff], [d]
  gpt_neox.final_layer_norm.{weight,bias}          [d]
  embed_out.weight                                 [V, d]  (untied, no bias)

Block: x + attn(ln1 x) + mlp(ln2 x) (use_parallel_residual) or the sequential form. Rotary
embeddings on the first rotary_ndims = int(dh * rotary_pct) dims of each head's q and k, base
rotary_emb_base, Hugging Face's rotate-half convention: for i < r/2, angle t * base^(-2i/r),
  q'_i = q_i cos - q_{i+r/2} sin,  q'_{i+r/2} = q_{i+r/2} cos + q_i sin.
Scores (q'.k') / sqrt(dh). hidden_act "gelu" is the erf form (as Pythia), "gelu_new" the tanh form.

attention "softmax" (the teacher) or "power_softmax" (the polynomial student, DESIGN.md section 4:
A_ij = m_ij s_ij^p / ((i+1)(eps + mean_{j<=i} s_ij^p))). Modes as in model.py: "exact" (true
functions) and "poly" (every approximation of config["approximations"] applied, in the order the
Java poly-plain pass and the encrypted pass use).
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn

import approx

SQRT2 = math.sqrt(2.0)


def gelu(x, kind):
    if kind == "gelu":
        return 0.5 * x * (1.0 + torch.erf(x / SQRT2))
    if kind == "gelu_new":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))
    raise ValueError(f"hidden_act {kind!r} is not supported (gelu, gelu_new)")


def gelu_scalar(kind):
    if kind == "gelu":
        return lambda x: 0.5 * x * (1.0 + math.erf(x / SQRT2))
    return approx.gelu_tanh


class NeoX(nn.Module):
    def __init__(self, vocab, d, layers, heads, d_ff, ctx, rotary_pct=0.25, rotary_base=10000,
                 parallel=True, hidden_act="gelu", ln_eps=1e-5, attention="softmax", power=4, epsilon=0.1):
        super().__init__()
        assert d % heads == 0
        self.cfg = dict(vocab=vocab, d=d, layers=layers, heads=heads, d_ff=d_ff, ctx=ctx, rotary_pct=rotary_pct,
                        rotary_base=rotary_base, parallel=parallel, hidden_act=hidden_act, ln_eps=ln_eps,
                        attention=attention, power=power, epsilon=epsilon)
        self.d, self.h, self.dh, self.ctx = d, heads, d // heads, ctx
        self.rot = int(self.dh * rotary_pct)
        self.attention, self.power, self.epsilon = attention, power, epsilon
        self.gpt_neox = nn.Module()
        self.gpt_neox.embed_in = nn.Embedding(vocab, d)
        nn.init.normal_(self.gpt_neox.embed_in.weight, std=0.02)
        self.gpt_neox.layers = nn.ModuleList()
        for _ in range(layers):
            blk = nn.Module()
            blk.input_layernorm = nn.LayerNorm(d, eps=ln_eps)
            blk.post_attention_layernorm = nn.LayerNorm(d, eps=ln_eps)
            blk.attention = nn.Module()
            blk.attention.query_key_value = nn.Linear(d, 3 * d)
            blk.attention.dense = nn.Linear(d, d)
            blk.mlp = nn.Module()
            blk.mlp.dense_h_to_4h = nn.Linear(d, d_ff)
            blk.mlp.dense_4h_to_h = nn.Linear(d_ff, d)
            self.gpt_neox.layers.append(blk)
        self.gpt_neox.final_layer_norm = nn.LayerNorm(d, eps=ln_eps)
        self.embed_out = nn.Linear(d, vocab, bias=False)

    # --- rotary ------------------------------------------------------------------------------
    def rotary(self, T, dtype, device):
        r = self.rot
        inv = 1.0 / (self.cfg["rotary_base"] ** (torch.arange(0, r, 2, dtype=torch.float64) / r))
        ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]  # [T, r/2]
        return ang.cos().to(dtype=dtype, device=device), ang.sin().to(dtype=dtype, device=device)

    def apply_rotary(self, x, cos, sin):
        r = self.rot
        if r == 0:
            return x
        half = r // 2
        x1, x2, rest = x[..., :half], x[..., half:r], x[..., r:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin, rest], dim=-1)

    # --- approximated functions (model.py's rules) -------------------------------------------
    def _inv_sqrt(self, v, mode, ap):
        if mode == "exact":
            return 1.0 / torch.sqrt(v)
        a = ap["norm_inverse_sqrt"]
        lo, hi = a["input_range"]
        return approx.newton_inv_sqrt(approx.cheb_eval(a["guess_coefficients"], lo, hi, v), v, a["newton_iterations"])

    def _inv(self, x, mode, ap):
        if mode == "exact":
            return 1.0 / x
        a = ap["attention_inverse"]
        lo, hi = a["input_range"]
        return approx.newton_inv(approx.cheb_eval(a["guess_coefficients"], lo, hi, x), x, a["newton_iterations"])

    def _act(self, x, mode, ap):
        if mode == "exact":
            return gelu(x, self.cfg["hidden_act"])
        a = ap["activation"]
        lo, hi = a["input_range"]
        return approx.cheb_eval(a["coefficients"], lo, hi, x)

    def _norm(self, ln, x, mode, ap, rec, tmask, reg):
        mu = x.mean(-1, keepdim=True)
        xc = x - mu
        v = (xc * xc).mean(-1, keepdim=True) + ln.eps
        if rec is not None:
            rec.see("norm_inverse_sqrt", v, tmask)
        if reg is not None and reg.get("var_range"):
            lo, hi = reg.get("var_range")
            lv = torch.log(v)
            reg.add("var", (torch.relu(lv - math.log(hi)) + torch.relu(math.log(lo) - lv)) ** 2)
        return xc * self._inv_sqrt(v, mode, ap) * ln.weight + ln.bias

    def forward(self, ids, mode="exact", approximations=None, rec=None, lengths=None, reg=None):
        B, T = ids.shape
        dt = self.embed_out.weight.dtype
        pos = torch.arange(T, device=ids.device)
        x = self.gpt_neox.embed_in(ids)
        tmask = None
        if lengths is not None:
            tmask = (pos[None, :] < lengths[:, None])[:, :, None]
        if reg is not None:
            reg.mask = tmask
        cos, sin = self.rotary(T, dt, ids.device)
        causal = torch.tril(torch.ones(T, T, dtype=dt, device=ids.device))
        rows = torch.arange(1, T + 1, dtype=dt, device=ids.device)[:, None]
        for blk in self.gpt_neox.layers:
            h = self._norm(blk.input_layernorm, x, mode, approximations, rec, tmask, reg)
            qkv = blk.attention.query_key_value(h).view(B, T, self.h, 3 * self.dh).transpose(1, 2)
            q, k, v = qkv[..., :self.dh], qkv[..., self.dh:2 * self.dh], qkv[..., 2 * self.dh:]
            q, k = self.apply_rotary(q, cos, sin), self.apply_rotary(k, cos, sin)
            s = q @ k.transpose(-1, -2) / math.sqrt(self.dh)
            if self.attention == "softmax":
                att = torch.softmax(s.masked_fill(causal == 0, float("-inf")), dim=-1)
            else:
                sp = s ** self.power * causal
                den = self.epsilon + sp.sum(-1, keepdim=True) / rows
                if rec is not None:
                    rec.see("attention_inverse", den, None if tmask is None else tmask[:, None])
                if reg is not None and reg.get("den_max"):
                    reg.add("den", torch.relu(torch.log(den) - math.log(reg.get("den_max"))) ** 2, head_dim=True)
                att = sp * (self._inv(den, mode, approximations) / rows)
            a = blk.attention.dense((att @ v).transpose(1, 2).reshape(B, T, self.d))
            src = x if self.cfg["parallel"] else x + a
            h2 = self._norm(blk.post_attention_layernorm, src, mode, approximations, rec, tmask, reg)
            u = blk.mlp.dense_h_to_4h(h2)
            if rec is not None:
                rec.see("activation", u, tmask)
            if reg is not None and reg.get("act_max"):
                reg.add("act", torch.relu(u.abs() - reg.get("act_max")) ** 2)
            m = blk.mlp.dense_4h_to_h(self._act(u, mode, approximations))
            x = x + a + m
        x = self._norm(self.gpt_neox.final_layer_norm, x, mode, approximations, rec, tmask, reg)
        return self.embed_out(x)


# --- Hugging Face layout ------------------------------------------------------------------------
def hf_config(model, extra=None):
    c = model.cfg
    out = {
        "architectures": ["GPTNeoXForCausalLM"],
        "model_type": "gpt_neox",
        "vocab_size": c["vocab"],
        "hidden_size": c["d"],
        "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"],
        "intermediate_size": c["d_ff"],
        "max_position_embeddings": c["ctx"],
        "rotary_pct": c["rotary_pct"],
        "rotary_emb_base": c["rotary_base"],
        "use_parallel_residual": c["parallel"],
        "hidden_act": c["hidden_act"],
        "layer_norm_eps": c["ln_eps"],
        "tie_word_embeddings": False,
        "bos_token_id": 0,
        "eos_token_id": 0,
        "initializer_range": 0.02,
        "use_cache": True,
        "torch_dtype": "float32",
    }
    out.update(extra or {})
    return out


def from_hf_config(cfg):
    if cfg.get("architectures") != ["GPTNeoXForCausalLM"]:
        raise ValueError(f"architectures must be ['GPTNeoXForCausalLM'], got {cfg.get('architectures')}")
    if cfg.get("tie_word_embeddings"):
        raise ValueError("tie_word_embeddings: tied embeddings are not supported")
    att = cfg.get("attention", {"kind": "softmax"})
    return NeoX(cfg["vocab_size"], cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"],
                cfg["intermediate_size"], cfg["max_position_embeddings"], cfg.get("rotary_pct", 0.25),
                cfg.get("rotary_emb_base", 10000), cfg.get("use_parallel_residual", True),
                cfg.get("hidden_act", "gelu"), cfg.get("layer_norm_eps", 1e-5), att["kind"],
                att.get("power", 4), att.get("epsilon", 0.1))


_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2"}


def write_safetensors(path, tensors, metadata):
    """Float32, names sorted, header padded to 8 bytes (as train.write_safetensors)."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        b = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Floating-point tensors as float32 torch tensors; BF16 widened; other dtypes skipped
    (Hugging Face's NeoX checkpoints may hold boolean causal-mask buffers)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b0, b1 = e["data_offsets"]
        raw = data[b0:b1]
        if e["dtype"] in _DTYPES:
            a = np.frombuffer(raw, dtype=_DTYPES[e["dtype"]]).astype(np.float32)
        elif e["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            continue
        out[name] = torch.from_numpy(a.reshape(e["shape"]).copy())
    return out


# Buffers some Hugging Face NeoX checkpoints carry besides the weights (recomputed, not loaded).
BUFFER_SUFFIXES = (".attention.bias", ".attention.masked_bias", ".attention.rotary_emb.inv_freq")


def load_hf(directory):
    with open(f"{directory}/config.json") as f:
        cfg = json.load(f)
    model = from_hf_config(cfg)
    sd = {k: v for k, v in read_safetensors(f"{directory}/model.safetensors").items()
          if not k.endswith(BUFFER_SUFFIXES)}
    model.load_state_dict(sd, strict=True)
    return model, cfg
