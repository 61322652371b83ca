#!/usr/bin/env python3
"""Trains, calibrates and exports one shipped polyhe model.

  /usr/bin/python3 poly-models/training/train.py --variant power --name tiny \
      --out poly-models/src/main/resources/models/tiny

Writes OUT/config.json, OUT/model.safetensors, OUT/golden.json and OUT/MODEL_CARD.md.
Deterministic for a given seed and thread count (torch.set_num_threads is fixed below).
"""
import argparse
import json
import math
import os
import random
import struct
import sys
import time

# One BLAS thread per process: OpenBLAS's own pool otherwise fights torch's on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn.functional as F

import approx
import tasks
from model import PolyDecoder, RangePenalty, Recorder


def batch(rng, n, exclude):
    seqs, plens = [], []
    while len(seqs) < n:
        task = tasks.TASKS[rng.randrange(3)]
        p, a = tasks.sample(task, rng)
        if p in exclude:
            continue  # keep the test prompts held out
        seqs.append(tasks.encode(p + a + "$"))
        plens.append(len(p))
    T = tasks.MAX_SEQ
    ids = torch.full((n, T), tasks.PAD, dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, : len(s)] = torch.tensor(s)
    lens = torch.tensor([len(s) for s in seqs])
    plen = torch.tensor(plens)
    pos = torch.arange(T - 1)[None]
    # target at position t is token t+1; it belongs to the answer when t+1 >= prompt length
    lmask = (pos + 1 >= plen[:, None]) & (pos + 1 < lens[:, None])
    return ids, lmask, lens


def encode_rows(rows):
    T = tasks.MAX_SEQ
    ids = torch.full((len(rows), T), tasks.PAD, dtype=torch.long)
    plen, lens = [], []
    for r, row in enumerate(rows):
        s = tasks.encode(row["prompt"] + row["answer"] + "$")
        ids[r, : len(s)] = torch.tensor(s)
        plen.append(len(row["prompt"]))
        lens.append(len(s))
    return ids, torch.tensor(plen), torch.tensor(lens)


@torch.no_grad()
def accuracy(model, rows, mode="exact", approximations=None):
    """Exact-match accuracy per task. Teacher-forced argmax at every answer position equals
    greedy generation's exact match (by induction over the answer tokens)."""
    ids, plen, lens = encode_rows(rows)
    logits = model(ids[:, :-1], mode, approximations)
    pred = logits.argmax(-1)
    out = {}
    for task in tasks.TASKS:
        ok = n = 0
        for r, row in enumerate(rows):
            if row["task"] != task:
                continue
            n += 1
            p, L = int(plen[r]), int(lens[r])
            ok += bool((pred[r, p - 1 : L - 1] == ids[r, p:L]).all())
        out[task] = 100.0 * ok / n
    return out


def write_safetensors(path, tensors, metadata):
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


def fit(model, args, kind, lo, hi):
    """--fit depth: least encrypted depth (guess degree <= --max-guess-degree); --fit fixed:
    the original rule (guess of degree --guess-degree, then the fewest Newton steps)."""
    if args.fit == "depth":
        return approx.fit_newton_min_depth(kind, lo, hi, args.newton_tol, args.max_guess_degree)
    a = approx.fit_newton(kind, lo, hi, args.guess_degree, args.newton_tol)
    a["encrypted_depth"] = approx.newton_depth(a["guess_degree"], a["newton_iterations"])
    return a


def calibrate(model, args, exclude):
    rng = random.Random(args.seed + 1)
    ids, _, lens = batch(rng, args.calib_samples, exclude)
    rec = Recorder()
    with torch.no_grad():
        model(ids, "exact", None, rec, lens)
    obs = rec.ranges
    ap = {}
    lo, hi = obs["norm_inverse_sqrt"]
    ap["norm_inverse_sqrt"] = fit(model, args, "inverse_sqrt", lo / args.range_factor, hi * args.range_factor)
    if model.attention == "power_softmax":
        # eps + mean(s^p) >= eps always, so eps is a hard lower end; widen only the top.
        _, hi = obs["attention_inverse"]
        ap["attention_inverse"] = fit(model, args, "inverse", model.epsilon, hi * args.range_factor)
    lo, hi = obs["activation"]
    c, half = (lo + hi) / 2, (hi - lo) / 2 * (1 + args.act_margin)
    ap["activation"] = approx.fit_activation(c - half, c + half, args.act_tol)
    return obs, ap


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", choices=["power", "softmax"], required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d-ff", type=int, default=256)
    ap.add_argument("--context", type=int, default=32)
    ap.add_argument("--power", type=int, default=4)
    ap.add_argument("--epsilon", type=float, default=1e-2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--den-max", type=float, default=None,
                    help="range penalty: keep eps + mean s^p below this (power model; off by default)")
    ap.add_argument("--var-range", type=float, nargs=2, default=None, metavar=("LO", "HI"),
                    help="range penalty: keep LayerNorm input variances in [LO, HI] (off by default)")
    ap.add_argument("--act-max", type=float, default=None,
                    help="range penalty: keep |GELU input| below this (off by default)")
    ap.add_argument("--log-every", type=int, default=500)
    ap.add_argument("--penalty-weight", type=float, default=1.0, help="weight of the range penalties in the loss")
    ap.add_argument("--calib-samples", type=int, default=4096)
    ap.add_argument("--range-factor", type=float, default=2.0, help="multiplicative margin of 1/x and 1/sqrt ranges")
    ap.add_argument("--act-margin", type=float, default=0.25, help="relative widening of the GELU range")
    ap.add_argument("--fit", choices=["depth", "fixed"], default="depth",
                    help="depth: 1/x and 1/sqrt fitted for the least encrypted depth; fixed: --guess-degree + Newton")
    ap.add_argument("--max-guess-degree", type=int, default=255, help="largest guess degree tried by --fit depth")
    ap.add_argument("--guess-degree", type=int, default=3, help="guess degree of --fit fixed")
    ap.add_argument("--newton-tol", type=float, default=1e-5)
    ap.add_argument("--act-tol", type=float, default=1e-3)
    args = ap.parse_args()

    t0 = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    # s^p of small scores underflows to float32 denormals, which run ~2x slower on x86; flush them.
    torch.set_flush_denormal(True)
    rng = random.Random(args.seed)
    test_rows = tasks.test_set()
    exclude = {r["prompt"] for r in test_rows}

    attention = "power_softmax" if args.variant == "power" else "softmax"
    model = PolyDecoder(len(tasks.VOCAB), args.d_model, args.layers, args.heads, args.d_ff, args.context,
                        attention, args.power, args.epsilon)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    warm = 200
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps))))
    loss_val = float("nan")
    penalised = bool(args.den_max or args.var_range or args.act_max)
    for step in range(args.steps):
        ids, lmask, lens = batch(rng, args.batch, exclude)
        reg = RangePenalty(args.den_max if attention == "power_softmax" else None, args.var_range, args.act_max) \
            if penalised else None
        logits = model(ids[:, :-1], lengths=lens, reg=reg)
        ce = F.cross_entropy(logits[lmask], ids[:, 1:][lmask])
        loss = ce + args.penalty_weight * reg.total if penalised else ce
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        loss_val = float(loss)
        if not math.isfinite(loss_val):
            sys.exit(f"loss diverged at step {step}")
        if step % args.log_every == 0 or step == args.steps - 1:
            pen = (" pen " + " ".join(f"{k} {float(v):.2e}" for k, v in reg.parts.items())) if penalised else ""
            print(f"step {step:5d} loss {loss_val:.4f} ce {float(ce):.4f}{pen} lr {sched.get_last_lr()[0]:.2e} "
                  f"t {time.time() - t0:.0f}s", flush=True)
    train_s = time.time() - t0
    # The float32 weights right after training, next to OUT (not part of the export), so the
    # calibration/fit/export stage can be inspected or rerun without retraining.
    torch.save(model.state_dict(), args.out.rstrip("/") + ".trained.pt")

    # Calibrate and evaluate in float64 on the float32-rounded weights (what the file holds).
    model = model.double().eval()
    obs, approximations = calibrate(model, args, exclude)
    exact_acc = accuracy(model, test_rows)
    poly_acc = accuracy(model, test_rows, "poly", approximations) if attention == "power_softmax" else None
    print("observed ranges", json.dumps(obs))
    print("exact acc", exact_acc, "poly acc", poly_acc, flush=True)

    os.makedirs(args.out, exist_ok=True)
    cmd = "/usr/bin/python3 poly-models/training/train.py " + " ".join(sys.argv[1:])
    config = {
        "model_type": "polyhe-decoder",
        "architectures": ["PolyDecoder"],
        "name": args.name,
        "vocab_size": len(tasks.VOCAB),
        "hidden_size": args.d_model,
        "num_hidden_layers": args.layers,
        "num_attention_heads": args.heads,
        "intermediate_size": args.d_ff,
        "max_position_embeddings": args.context,
        "tie_word_embeddings": False,
        "attention": ({"kind": "power_softmax", "power": args.power, "epsilon": args.epsilon}
                      if attention == "power_softmax" else {"kind": "softmax"}),
        "norm": {"kind": "layernorm", "eps": model.ln_eps},
        "activation": {"kind": "gelu_tanh"},
        "approximations": approximations if attention == "power_softmax" else None,
        "calibration": {"samples": args.calib_samples, "observed": obs, "range_factor": args.range_factor,
                        "activation_margin": args.act_margin, "source": "training distribution, test prompts excluded"},
        "tokenizer": {"kind": "task-chars", "vocab": tasks.VOCAB, "pad": tasks.PAD, "bos": tasks.BOS,
                      "eos": tasks.EOS},
        "tasks": {t: {"min_len": tasks.LENGTHS[t][0], "max_len": tasks.LENGTHS[t][1]} for t in tasks.TASKS},
        "training": {"command": cmd, "seed": args.seed, "steps": args.steps, "batch": args.batch, "lr": args.lr,
                     "final_loss": loss_val,
                     "range_penalty": ({"den_max": args.den_max, "var_range": args.var_range,
                                        "act_max": args.act_max, "weight": args.penalty_weight}
                                       if penalised else None),
                     "fit": {"rule": args.fit, "max_guess_degree": args.max_guess_degree,
                             "guess_degree": args.guess_degree, "newton_tol": args.newton_tol,
                             "act_tol": args.act_tol}, "train_seconds": round(train_s, 1), "threads": args.threads,
                     "torch": torch.__version__, "test_exact_acc": exact_acc, "test_poly_plain_acc": poly_acc},
    }
    if attention == "softmax":
        del config["approximations"]
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(args.out, "model.safetensors"), model.state_dict(),
                      {"format": "pt", "name": args.name})

    # Golden vectors: two test sequences per task, float64 logits at every position.
    cases = []
    by_task = {t: [r for r in test_rows if r["task"] == t][:2] for t in tasks.TASKS}
    with torch.no_grad():
        for t in tasks.TASKS:
            for r in by_task[t]:
                toks = tasks.encode(r["prompt"] + r["answer"] + "$")
                ids = torch.tensor([toks])
                case = {"task": t, "text": tasks.decode(toks), "tokens": toks,
                        "exact_logits": model(ids, "exact")[0].tolist()}
                if attention == "power_softmax":
                    case["poly_plain_logits"] = model(ids, "poly", approximations)[0].tolist()
                cases.append(case)
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump({"model": args.name, "dtype": "float64", "cases": cases}, f)
        f.write("\n")
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as f:
        f.write(f"# {args.name}\n\nMade by (from the repository root):\n\n    {cmd}\n\n"
                f"Attention: {attention}; {args.layers} layers, d_model {args.d_model}, {args.heads} heads, "
                f"d_ff {args.d_ff}, context {args.context}, vocabulary {len(tasks.VOCAB)}.\n"
                f"Training: {args.steps} steps of {args.batch} sequences, seed {args.seed}, "
                f"{train_s:.0f} s on {args.threads} threads (torch {torch.__version__}).\n\n"
                f"Held-out accuracy (exact match, PyTorch float64): exact {exact_acc}"
                + (f", poly-plain {poly_acc}" if poly_acc else "") + ".\n")
    print(f"wrote {args.out} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
