#!/usr/bin/env python3
"""Trains a small GPT-NeoX teacher (softmax attention) from scratch on the fortune corpus and
saves it as a Hugging Face directory:

  /usr/bin/python3 poly-models/training/train_neox.py --name fortune-teacher --out /tmp/neox/teacher

Writes OUT/config.json (GPTNeoXForCausalLM, NeoX's field names), OUT/model.safetensors (NeoX's
tensor names, fused per-head query_key_value, F32), OUT/tokenizer.json (fortunes.py's character
vocabulary), OUT/golden.json (float64 logits of two held-out windows) and OUT/MODEL_CARD.md. The last
stdout line is a JSON summary with the held-out bits per character. Deterministic for a seed and
thread count.
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import fortunes  # noqa: E402
from neox import NeoX, hf_config, write_safetensors  # noqa: E402


def golden(model, held, context, approximations=None):
    """Two held-out windows (the first of the first two held-out fortunes), float64 logits."""
    cases = []
    with torch.no_grad():
        for f in held[:2]:
            toks = fortunes.document(f)[:context]
            ids = torch.tensor([toks])
            case = {"text": fortunes.decode(toks), "tokens": toks, "exact_logits": model(ids, "exact")[0].tolist()}
            if approximations is not None:
                case["poly_plain_logits"] = model(ids, "poly", approximations)[0].tolist()
            cases.append(case)
    return cases


def sample(model, prompt, n, context, temperature=None, seed=0, mode="exact", approximations=None):
    """Greedy (temperature None) or sampled continuation of prompt, n characters."""
    g = torch.Generator().manual_seed(seed)
    toks = [0] + fortunes.encode(prompt)
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor([toks[-context:]]), mode, approximations)[0, -1]
            if temperature is None:
                nxt = int(logits.argmax())
            else:
                nxt = int(torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=g))
            if nxt == 0:
                break
            toks.append(nxt)
    return fortunes.decode(toks[1:])


def train(model, tokens, args, log, loss_fn=None):
    """AdamW with warm-up and cosine decay; loss_fn(model, inputs, targets) -> (loss, parts)."""
    gen = torch.Generator().manual_seed(args.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    warm = min(200, args.steps // 10 + 1)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps))))
    data = fortunes.batches(tokens, model.ctx, args.batch, gen)
    t0 = time.time()
    loss_val = float("nan")
    for step in range(args.steps):
        inp, tgt = next(data)
        if loss_fn is None:
            loss = F.cross_entropy(model(inp).reshape(-1, model.cfg["vocab"]), tgt.reshape(-1))
            parts = {}
        else:
            loss, parts = loss_fn(model, inp, tgt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        loss_val = float(loss)
        if not math.isfinite(loss_val):
            sys.exit(f"loss diverged at step {step}")
        if step % args.log_every == 0 or step == args.steps - 1:
            extra = " ".join(f"{k} {float(v):.3e}" for k, v in parts.items())
            log(f"step {step:5d} loss {loss_val:.4f} {extra} lr {sched.get_last_lr()[0]:.2e} t {time.time() - t0:.0f}s")
    return loss_val, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d-ff", type=int, default=256)
    ap.add_argument("--context", type=int, default=64)
    ap.add_argument("--rotary-pct", type=float, default=0.25)
    ap.add_argument("--rotary-base", type=float, default=10000)
    ap.add_argument("--sequential", action="store_true", help="use_parallel_residual false")
    ap.add_argument("--hidden-act", default="gelu", choices=["gelu", "gelu_new"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=250)
    args = ap.parse_args()

    t0 = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_f, held = fortunes.split(fortunes.read_fortunes())
    tokens = fortunes.stream(train_f)
    model = NeoX(len(fortunes.VOCAB), args.d_model, args.layers, args.heads, args.d_ff, args.context,
                 args.rotary_pct, args.rotary_base, not args.sequential, args.hidden_act)
    final_loss, train_s = train(model, tokens, args, lambda s: print(s, flush=True))

    model = model.double().eval()  # float64 from the float32 weights the file holds
    windows = fortunes.eval_windows(held, args.context)
    bpc, n = fortunes.bits_per_char(model, windows, args.context)
    greedy = sample(model, "The ", 60, args.context)
    print(f"held-out bpc {bpc:.4f} over {n} characters; greedy 'The ' -> {greedy!r}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    cmd = "/usr/bin/python3 poly-models/training/train_neox.py " + " ".join(sys.argv[1:])
    params = sum(p.numel() for p in model.parameters())
    cfg = hf_config(model, {
        "name": args.name,
        "corpus": {"source": "Debian fortunes (" + fortunes.FORTUNE_DIR + ")", "held_out": "sha256(text)[0] < "
                   + str(fortunes.HELD_OUT_BYTE), "train_fortunes": len(train_f), "held_out_fortunes": len(held),
                   "held_out_characters": n, "held_out_bpc": bpc},
        "training": {"command": cmd, "seed": args.seed, "steps": args.steps, "batch": args.batch, "lr": args.lr,
                     "final_loss": final_loss, "train_seconds": round(train_s, 1), "threads": args.threads,
                     "torch": torch.__version__, "parameters": params}})
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(args.out, "model.safetensors"), model.state_dict(), {"format": "pt"})
    fortunes.write_tokenizer(os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump({"model": args.name, "dtype": "float64", "cases": golden(model, held, args.context)}, f)
        f.write("\n")
    samples = [sample(model, p, 60, args.context, t, seed=i) for i, (p, t) in
               enumerate([("The ", None), ("A man ", None), ("Love ", 0.8), ("You will ", 0.8)])]
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as f:
        f.write(f"# {args.name}\n\nA GPT-NeoX (Pythia architecture) teacher with softmax attention, trained from "
                f"scratch on Debian's fortunes, character-level.\n\nMade by (from the repository root):\n\n    {cmd}\n\n"
                f"Shape: {args.layers} layers, d_model {args.d_model}, {args.heads} heads, d_ff {args.d_ff}, context "
                f"{args.context}, vocabulary {len(fortunes.VOCAB)}, rotary_pct {args.rotary_pct}, parallel residual "
                f"{not args.sequential}, {args.hidden_act}; {params} parameters.\n"
                f"Training: {args.steps} steps of {args.batch} windows, seed {args.seed}, {train_s:.0f} s on "
                f"{args.threads} thread(s) (torch {torch.__version__}).\n\n"
                f"Held-out ({len(held)} fortunes, {n} characters): **{bpc:.4f} bits per character** (float64).\n\n"
                "Completions (exact pass; greedy, then sampled at temperature 0.8):\n\n"
                + "".join(f"    {s!r}\n" for s in samples))
    print(json.dumps({"name": args.name, "d_model": args.d_model, "layers": args.layers, "heads": args.heads,
                      "d_ff": args.d_ff, "context": args.context, "parameters": params, "steps": args.steps,
                      "held_out_bpc": bpc, "train_seconds": round(train_s, 1), "seconds": round(time.time() - t0, 1)}))


if __name__ == "__main__":
    main()
