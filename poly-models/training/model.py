"""Decoder-only pre-norm transformer of DESIGN.md section 4, with two attention kinds.

  softmax        A = softmax(s + causal -inf mask)                      (the baseline)
  power_softmax  A_ij = m_ij s_ij^p / ((i+1) (eps + mean_{j<=i} s_ij^p))  m = 0/1 causal mask

Three evaluation modes share the weights:
  exact  true softmax / exact division / exact 1/sqrt / exact tanh-GELU  (training uses this)
  poly   every approximation of config["approximations"] applied as the encrypted pass will
The Java forward passes (io.polyhe.models.forward) reproduce both modes in double precision.
"""
import math

import torch
import torch.nn as nn

import approx


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


class Recorder:
    """Collects min/max of the inputs of every approximated function (for calibration)."""

    def __init__(self):
        self.ranges = {}

    def see(self, name, t, mask=None):
        if mask is not None:
            t = t[mask.expand_as(t)]
        if t.numel() == 0:
            return
        lo, hi = float(t.min()), float(t.max())
        old = self.ranges.get(name)
        self.ranges[name] = [lo, hi] if old is None else [min(old[0], lo), max(old[1], hi)]


class RangePenalty:
    """Training-time penalties that keep the inputs of the approximated functions in moderate
    ranges (so the encrypted pass needs shallow approximations):

      den  (log(eps + mean_{j<=i} s_ij^p) - log(den_max))_+^2   per row and head
      var  (log v - log hi)_+^2 + (log lo - log v)_+^2            per LayerNorm input row
      act  (|u| - act_max)_+^2                                    per GELU input

    Each is averaged over the real (non-pad) positions and summed into `total`; the sums are
    kept per kind for logging. Only used in exact mode during training; it changes nothing in
    the exported model's form.
    """

    def __init__(self, den_max=None, var_range=None, act_max=None):
        self.cfg = {"den_max": den_max, "var_range": var_range, "act_max": act_max}
        self.mask = None
        self.parts = {}

    def get(self, key):
        return self.cfg[key]

    def add(self, kind, pen, head_dim=False):
        m = self.mask
        if m is not None:
            m = m[:, None] if head_dim else m  # [B, 1, T, 1] against [B, H, T, 1]
            m = m.expand_as(pen).to(pen.dtype)
            val = (pen * m).sum() / m.sum().clamp_min(1.0)
        else:
            val = pen.mean()
        self.parts[kind] = self.parts.get(kind, 0.0) + val

    @property
    def total(self):
        return sum(self.parts.values()) if self.parts else 0.0


class PolyDecoder(nn.Module):
    def __init__(self, vocab, d, layers, heads, d_ff, ctx, attention="power_softmax",
                 power=4, epsilon=1e-2, ln_eps=1e-5):
        super().__init__()
        assert d % heads == 0
        self.d, self.h, self.dh, self.ctx = d, heads, d // heads, ctx
        self.attention, self.power, self.epsilon, self.ln_eps = attention, power, epsilon, ln_eps
        self.embed_tokens = nn.Embedding(vocab, d)
        self.embed_positions = nn.Embedding(ctx, d)
        nn.init.normal_(self.embed_tokens.weight, std=0.5)
        nn.init.normal_(self.embed_positions.weight, std=0.5)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            blk = nn.Module()
            blk.attn_norm = nn.LayerNorm(d, eps=ln_eps)
            blk.attn = nn.Module()
            for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
                setattr(blk.attn, n, nn.Linear(d, d))
            blk.ffn_norm = nn.LayerNorm(d, eps=ln_eps)
            blk.ffn = nn.Module()
            blk.ffn.up_proj = nn.Linear(d, d_ff)
            blk.ffn.down_proj = nn.Linear(d_ff, d)
            self.layers.append(blk)
        self.final_norm = nn.LayerNorm(d, eps=ln_eps)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    # --- the three approximated functions -------------------------------------------------
    def _inv_sqrt(self, v, mode, ap):
        if mode == "exact":
            return 1.0 / torch.sqrt(v)
        a = ap["norm_inverse_sqrt"]
        lo, hi = a["input_range"]
        y = approx.cheb_eval(a["guess_coefficients"], lo, hi, v)
        return approx.newton_inv_sqrt(y, v, a["newton_iterations"])

    def _inv(self, x, mode, ap):
        if mode == "exact":
            return 1.0 / x
        a = ap["attention_inverse"]
        lo, hi = a["input_range"]
        y = approx.cheb_eval(a["guess_coefficients"], lo, hi, x)
        return approx.newton_inv(y, x, a["newton_iterations"])

    def _act(self, x, mode, ap):
        if mode == "exact":
            return gelu_tanh(x)
        a = ap["activation"]
        lo, hi = a["input_range"]
        return approx.cheb_eval(a["coefficients"], lo, hi, x)

    def _norm(self, ln, x, mode, ap, rec, tmask, reg=None):
        mu = x.mean(-1, keepdim=True)
        xc = x - mu
        v = (xc * xc).mean(-1, keepdim=True) + self.ln_eps
        if rec is not None:
            rec.see("norm_inverse_sqrt", v, tmask)
        if reg is not None and reg.get("var_range"):
            lo, hi = reg.get("var_range")
            lv = torch.log(v)
            reg.add("var", (torch.relu(lv - math.log(hi)) + torch.relu(math.log(lo) - lv)) ** 2)
        return xc * self._inv_sqrt(v, mode, ap) * ln.weight + ln.bias

    def forward(self, ids, mode="exact", approximations=None, rec=None, lengths=None, reg=None):
        """reg: optional RangePenalty (training only) that collects the range penalties."""
        B, T = ids.shape
        dt = self.embed_tokens.weight.dtype
        pos = torch.arange(T, device=ids.device)
        x = self.embed_tokens(ids) + self.embed_positions(pos)[None]
        tmask = None
        if lengths is not None:  # real (non-pad) token positions (calibration, range penalties)
            tmask = (pos[None, :] < lengths[:, None])[:, :, None]
        if reg is not None:
            reg.mask = tmask
        causal = torch.tril(torch.ones(T, T, dtype=dt, device=ids.device))
        rows = torch.arange(1, T + 1, dtype=dt, device=ids.device)[:, None]  # i + 1
        for blk in self.layers:
            h = self._norm(blk.attn_norm, x, mode, approximations, rec, tmask, reg)
            a = blk.attn
            q = a.q_proj(h).view(B, T, self.h, self.dh).transpose(1, 2)
            k = a.k_proj(h).view(B, T, self.h, self.dh).transpose(1, 2)
            v = a.v_proj(h).view(B, T, self.h, self.dh).transpose(1, 2)
            s = q @ k.transpose(-1, -2) / math.sqrt(self.dh)
            if self.attention == "softmax":
                s = s.masked_fill(causal == 0, float("-inf"))
                att = torch.softmax(s, dim=-1)
            else:
                sp = s ** self.power * causal
                den = self.epsilon + sp.sum(-1, keepdim=True) / rows  # eps + mean_{j<=i}
                if rec is not None:
                    rec.see("attention_inverse", den, None if tmask is None else tmask[:, None])
                if reg is not None and reg.get("den_max"):
                    reg.add("den", torch.relu(torch.log(den) - math.log(reg.get("den_max"))) ** 2, head_dim=True)
                att = sp * (self._inv(den, mode, approximations) / rows)
            o = (att @ v).transpose(1, 2).reshape(B, T, self.d)
            x = x + a.o_proj(o)
            h = self._norm(blk.ffn_norm, x, mode, approximations, rec, tmask, reg)
            u = blk.ffn.up_proj(h)
            if rec is not None:
                rec.see("activation", u, tmask)
            if reg is not None and reg.get("act_max"):
                reg.add("act", torch.relu(u.abs() - reg.get("act_max")) ** 2)
            x = x + blk.ffn.down_proj(self._act(u, mode, approximations))
        x = self._norm(self.final_norm, x, mode, approximations, rec, tmask, reg)
        return self.lm_head(x)
