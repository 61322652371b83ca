#!/usr/bin/env python3
"""Converts a GPT-NeoX checkpoint (the softmax teacher) into a polynomial polyhe model, as the
Power-Softmax paper does:

  1. student = the teacher's weights with power-softmax attention (--power p, --epsilon eps, the
     length-agnostic mean A_ij = s_ij^p / ((i+1)(eps + mean_{j<=i} s_ij^p)));
  2. distillation: loss = --kl-weight * KL(teacher || student) (temperature --temperature)
                        + --lm-weight * cross-entropy on the next token
                        + --penalty-weight * range penalties (model.RangePenalty: --den-max,
                          --var-range, --act-max keep the inputs of 1/x, 1/sqrt and GELU in
                          ranges that shallow approximations cover);
  3. calibration of the three input ranges in float64 on training windows, then the fits for the
     least encrypted depth (approx.fit_newton_min_depth for 1/x and 1/sqrt, the lowest-degree
     Chebyshev GELU), as train.py does for tiny;
  4. export: OUT/config.json (the teacher's NeoX fields plus polyhe's "attention",
     "approximations", "calibration", "training"), model.safetensors (NeoX names, F32),
     tokenizer.json (the teacher's), golden.json (float64 exact and poly-plain logits) and
     MODEL_CARD.md. The last stdout line is a JSON summary (held-out bits per character of the
     teacher, the student exact and poly-plain).

Corpus: the fortunes (fortunes.py; the teacher's tokenizer.json must be that vocabulary), or
--train-tokens/--held-out-tokens: raw little-endian uint16 token streams made with the teacher's
own tokenizer (Pythia: tokenise any text with its tokenizer.json on the GPU box and save with
numpy's `astype("<u2").tofile`).

  /usr/bin/python3 poly-models/training/convert.py --teacher DIR --out DIR --name fortune
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import approx  # noqa: E402
import fortunes  # noqa: E402
from model import RangePenalty, Recorder  # noqa: E402
from neox import NeoX, gelu_scalar, hf_config, load_hf, write_safetensors  # noqa: E402
from train_neox import sample, train  # noqa: E402


def student_of(teacher, power, epsilon):
    c = dict(teacher.cfg)
    s = NeoX(c["vocab"], c["d"], c["layers"], c["heads"], c["d_ff"], c["ctx"], c["rotary_pct"], c["rotary_base"],
             c["parallel"], c["hidden_act"], c["ln_eps"], "power_softmax", power, epsilon)
    s.load_state_dict(teacher.state_dict())
    s.ctx = teacher.ctx  # the window length (the config keeps max_position_embeddings)
    return s


def rescale_for_ranges(student, tokens, args):
    """Function-preserving (up to the eps terms) rescalings of the student before distillation, so the
    range penalties start near their targets instead of pulling the weights far at step 0:

      * the residual stream by c (embed_in, attention.dense and mlp.dense_4h_to_h weights and biases):
        every LayerNorm input scales by c, its output does not; c centres the observed LayerNorm
        variances (geometric mean of min and max) on the geometric centre of --var-range;
      * per head, q and k by b (s by b^2): power-softmax s^p / ((i+1) eps + sum s^p) is invariant but
        for eps; b brings the head's largest divisor eps + mean s^p to --den-max.

    Returns a description of what was done (recorded in the config)."""
    gen = torch.Generator().manual_seed(args.seed + 2)
    inp, _ = next(fortunes.batches(tokens, student.ctx, 64, gen))
    done = {}
    with torch.no_grad():
        if args.var_range:
            rec = Recorder()
            student(inp, "exact", None, rec)
            lo, hi = rec.ranges["norm_inverse_sqrt"]
            c = math.sqrt(math.sqrt(args.var_range[0] * args.var_range[1]) / math.sqrt(lo * hi))
            g = student.gpt_neox
            g.embed_in.weight.mul_(c)
            for blk in g.layers:
                for lin in (blk.attention.dense, blk.mlp.dense_4h_to_h):
                    lin.weight.mul_(c)
                    lin.bias.mul_(c)
            done["residual_scale"] = c
        if args.den_max:
            scales = []
            for layer, blk in enumerate(student.gpt_neox.layers):
                dens = head_divisors(student, inp, layer)  # [H]: largest eps + mean s^p per head
                qkv = blk.attention.query_key_value
                w = qkv.weight.view(student.h, 3 * student.dh, -1)
                bias = qkv.bias.view(student.h, 3 * student.dh)
                row = []
                for h in range(student.h):
                    excess = (float(dens[h]) - student.epsilon) / (args.den_max - student.epsilon)
                    b = excess ** (-1.0 / (2 * student.power)) if excess > 1 else 1.0
                    w[h, :2 * student.dh].mul_(b)
                    bias[h, :2 * student.dh].mul_(b)
                    row.append(b)
                scales.append(row)
            done["qk_scale"] = scales
    return done


def head_divisors(model, inp, layer):
    """Per head of one layer, the largest power-softmax divisor eps + mean_{j<=i} s_ij^p over inp."""
    seen = {}

    class Rec:
        def see(self, name, t, mask=None):
            if name == "attention_inverse":
                seen[len(seen)] = t.amax(dim=(0, 2, 3))

    model(inp, "exact", None, Rec())
    return seen[layer]


def embedding_penalty(model, var_range, ln_eps):
    """(log v - log hi)_+^2 + (log lo - log v)_+^2 over every row of embed_in: those rows are the
    first LayerNorm's inputs, and rare characters' rows would otherwise escape the data-weighted
    penalty (their variance set the low end of the calibrated range)."""
    e = model.gpt_neox.embed_in.weight
    lv = torch.log(e.var(-1, unbiased=False) + ln_eps)
    lo, hi = var_range
    return ((torch.relu(lv - math.log(hi)) + torch.relu(math.log(lo) - lv)) ** 2).mean()


def corpus(args, teacher_dir, ctx):
    """(training stream, held-out windows, description)."""
    if args.train_tokens:
        tr = np.fromfile(args.train_tokens, dtype="<u2").astype(np.int64).tolist()
        ho = np.fromfile(args.held_out_tokens, dtype="<u2").astype(np.int64).tolist()
        windows = [(ho[s:s + ctx], ho[s + 1:s + ctx + 1]) for s in range(0, len(ho) - 1, ctx)]
        windows = [(i[:len(t)], t) for i, t in windows]
        return tr, windows, f"token streams {args.train_tokens}, {args.held_out_tokens}"
    with open(os.path.join(teacher_dir, "tokenizer.json"), encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    if vocab != {t: i for i, t in enumerate(fortunes.VOCAB)}:
        sys.exit("the teacher's tokenizer.json is not the fortune character vocabulary: pass --train-tokens and "
                 "--held-out-tokens made with its own tokenizer")
    train_f, held = fortunes.split(fortunes.read_fortunes())
    return fortunes.stream(train_f), fortunes.eval_windows(held, ctx), "Debian fortunes, held out by sha256"


def fit(args, kind, lo, hi):
    # For 1/x the Chebyshev interpolant is already the relative-error minimax guess (training/README.md).
    guess = args.guess if kind == "inverse_sqrt" else "interpolant"
    try:
        return approx.fit_newton_min_depth(kind, lo, hi, args.newton_tol, args.max_guess_degree, args.max_newton, guess)
    except ValueError as e:
        sys.exit(f"{e} with at most {args.max_newton} Newton step(s): narrow the range (--var-range, --den-max) "
                 "or allow Newton steps")


def calibrate(model, tokens, args):
    """Observed input ranges over --calib-windows training windows, and the fitted approximations."""
    gen = torch.Generator().manual_seed(args.seed + 1)
    data = fortunes.batches(tokens, model.ctx, 64, gen)
    rec = Recorder()
    with torch.no_grad():
        for _ in range(max(1, args.calib_windows // 64)):
            inp, _ = next(data)
            model(inp.to(args.device), "exact", None, rec)
    obs = rec.ranges
    ap = {}
    lo, hi = obs["norm_inverse_sqrt"]
    ap["norm_inverse_sqrt"] = fit(args, "inverse_sqrt", lo / args.range_factor, hi * args.range_factor)
    _, hi = obs["attention_inverse"]
    ap["attention_inverse"] = fit(args, "inverse", model.epsilon, hi * args.range_factor)
    lo, hi = obs["activation"]
    c, half = (lo + hi) / 2, (hi - lo) / 2 * (1 + args.act_margin)
    ap["activation"] = approx.fit_activation(c - half, c + half, args.act_tol, f=gelu_scalar(model.cfg["hidden_act"]))
    return obs, ap


def max_logit_diff(model, windows, ctx, ap, chunk=256):
    diff = 0.0
    with torch.no_grad():
        for s in range(0, len(windows), chunk):
            inp, _, mask = fortunes.padded(windows[s:s + chunk], ctx)
            d = (model(inp, "exact") - model(inp, "poly", ap)).abs().amax(-1)
            diff = max(diff, float(d[mask].max()))
    return diff


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", required=True, help="GPT-NeoX directory: config.json, model.safetensors, tokenizer.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--power", type=int, default=4)
    ap.add_argument("--epsilon", type=float, default=0.1)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kl-weight", type=float, default=1.0)
    ap.add_argument("--lm-weight", type=float, default=0.5)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--den-max", type=float, default=8.0)
    ap.add_argument("--var-range", type=float, nargs=2, default=[0.02, 50.0], metavar=("LO", "HI"))
    ap.add_argument("--act-max", type=float, default=6.0)
    ap.add_argument("--penalty-weight", type=float, default=1.0)
    ap.add_argument("--calib-windows", type=int, default=4096)
    ap.add_argument("--range-factor", type=float, default=2.0)
    ap.add_argument("--act-margin", type=float, default=0.25)
    ap.add_argument("--max-guess-degree", type=int, default=255)
    ap.add_argument("--guess", choices=["minimax", "interpolant"], default="minimax",
                    help="1/sqrt guess: the relative-error minimax polynomial (default; reaches --newton-tol at a "
                         "lower degree, hence sometimes a level less) or the Chebyshev interpolant (the first fortune's)")
    ap.add_argument("--refit", metavar="DIR",
                    help="skip the rescaling and the distillation: take the student's weights from DIR, an earlier "
                         "output of this command (its training record is kept), then calibrate, fit, evaluate and "
                         "export as usual (to change only the fits)")
    ap.add_argument("--newton-tol", type=float, default=1e-5)
    ap.add_argument("--max-newton", type=int, default=60,
                    help="most Newton steps after the Chebyshev guess (0: guess only, what the encrypted pass evaluates)")
    ap.add_argument("--embed-weight", type=float, default=1.0,
                    help="weight of the --var-range penalty on every row of embed_in")
    ap.add_argument("--no-rescale", action="store_true",
                    help="skip the function-preserving rescaling of the residual stream and of q, k before distillation")
    ap.add_argument("--act-tol", type=float, default=1e-3)
    ap.add_argument("--train-tokens", help="uint16 little-endian training token stream (instead of the fortunes)")
    ap.add_argument("--held-out-tokens", help="uint16 little-endian held-out token stream")
    ap.add_argument("--context", type=int, default=None,
                    help="training/evaluation window (default and maximum: the teacher's max_position_embeddings)")
    ap.add_argument("--device", default="cpu", help="torch device for distillation, e.g. cuda")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=250)
    args = ap.parse_args()
    if bool(args.train_tokens) != bool(args.held_out_tokens):
        sys.exit("--train-tokens and --held-out-tokens go together")

    t0 = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    random.seed(args.seed)
    teacher, tcfg = load_hf(args.teacher)
    if tcfg.get("attention", {"kind": "softmax"})["kind"] != "softmax":
        sys.exit("the teacher must be a softmax model")
    if args.context:
        if not 0 < args.context <= teacher.ctx:
            sys.exit(f"--context must be in [1, {teacher.ctx}]")
        teacher.ctx = args.context
    ctx = teacher.ctx
    tokens, windows, corpus_desc = corpus(args, args.teacher, ctx)
    earlier = None
    if args.refit:
        student, earlier = load_hf(args.refit)
        if earlier.get("attention", {}) != {"kind": "power_softmax", "power": args.power, "epsilon": args.epsilon}:
            sys.exit(f"--refit {args.refit}: its attention {earlier.get('attention')} is not power-softmax "
                     f"p={args.power}, eps={args.epsilon}")
        if earlier.get("training", {}).get("teacher") != tcfg.get("name", args.teacher):
            sys.exit(f"--refit {args.refit}: distilled from {earlier.get('training', {}).get('teacher')}, "
                     f"not from {tcfg.get('name', args.teacher)}")
        student.ctx = teacher.ctx
        rescaled = earlier["training"].get("rescaled", {})
        print("refit: weights of", args.refit, flush=True)
    else:
        student = student_of(teacher, args.power, args.epsilon)
        rescaled = {} if args.no_rescale else rescale_for_ranges(student, tokens, args)
        print("rescaled", json.dumps(rescaled), flush=True)
    student = student.to(args.device)
    teacher = teacher.to(args.device).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    vocab = teacher.cfg["vocab"]
    tau = args.temperature

    def loss_fn(model, inp, tgt):
        inp, tgt = inp.to(args.device), tgt.to(args.device)
        with torch.no_grad():
            t_logits = teacher(inp)
        reg = RangePenalty(args.den_max, args.var_range, args.act_max)
        s_logits = model(inp, reg=reg)
        kl = F.kl_div(F.log_softmax(s_logits / tau, -1).reshape(-1, vocab),
                      F.log_softmax(t_logits / tau, -1).reshape(-1, vocab), log_target=True,
                      reduction="batchmean") * tau * tau
        ce = F.cross_entropy(s_logits.reshape(-1, vocab), tgt.reshape(-1))
        parts = dict(reg.parts)
        if args.var_range and args.embed_weight:
            parts["emb"] = args.embed_weight * embedding_penalty(model, args.var_range, model.cfg["ln_eps"])
        loss = args.kl_weight * kl + args.lm_weight * ce + args.penalty_weight * sum(parts.values())
        return loss, {"kl": kl, "ce": ce, **parts}

    if earlier is None:
        final_loss, train_s = train(student, tokens, args, lambda s: print(s, flush=True), loss_fn)
    else:
        final_loss, train_s = earlier["training"]["final_loss"], earlier["training"]["train_seconds"]

    student = student.cpu().double().eval()
    teacher = teacher.cpu().double().eval()
    args.device = "cpu"
    obs, approximations = calibrate(student, tokens, args)
    print("observed ranges", json.dumps(obs), flush=True)
    print("depths", {k: v["encrypted_depth"] for k, v in approximations.items()}, flush=True)
    teacher_bpc, n = fortunes.bits_per_char(teacher, windows, ctx)
    exact_bpc, _ = fortunes.bits_per_char(student, windows, ctx)
    poly_bpc, _ = fortunes.bits_per_char(student, windows, ctx, "poly", approximations)
    diff = max_logit_diff(student, windows, ctx, approximations)
    print(f"held-out bpc: teacher {teacher_bpc:.4f} power exact {exact_bpc:.4f} poly-plain {poly_bpc:.4f} "
          f"max |exact - poly| logit {diff:.3e}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    cmd = "/usr/bin/python3 poly-models/training/convert.py " + " ".join(sys.argv[1:])
    keep = {k: v for k, v in tcfg.items() if k not in ("name", "training", "corpus", "attention", "approximations",
                                                       "calibration")}
    cfg = dict(keep)
    training = {"command": cmd, "teacher": tcfg.get("name", args.teacher), "seed": args.seed,
                "steps": args.steps, "batch": args.batch, "lr": args.lr, "final_loss": final_loss,
                "distillation": {"kl_weight": args.kl_weight, "lm_weight": args.lm_weight,
                                 "temperature": args.temperature},
                "range_penalty": {"den_max": args.den_max, "var_range": args.var_range,
                                  "act_max": args.act_max, "weight": args.penalty_weight,
                                  "embed_weight": args.embed_weight},
                "rescaled": rescaled,
                "fit": {"rule": "depth", "max_guess_degree": args.max_guess_degree, "max_newton": args.max_newton,
                        "newton_tol": args.newton_tol, "act_tol": args.act_tol, "inverse_sqrt_guess": args.guess},
                "train_seconds": round(train_s, 1), "threads": args.threads, "torch": torch.__version__}
    if earlier is not None:
        # The weights, hence how they were made, are the earlier run's; only the fits are this command's.
        training = dict(earlier["training"])
        training["fit"] = {"rule": "depth", "max_guess_degree": args.max_guess_degree, "max_newton": args.max_newton,
                           "newton_tol": args.newton_tol, "act_tol": args.act_tol, "inverse_sqrt_guess": args.guess}
        training["refit_command"] = cmd
    cfg.update({
        "name": args.name,
        "attention": {"kind": "power_softmax", "power": args.power, "epsilon": args.epsilon},
        "approximations": approximations,
        "calibration": {"windows": args.calib_windows, "observed": obs, "range_factor": args.range_factor,
                        "activation_margin": args.act_margin, "source": "training windows, held-out fortunes excluded"},
        "corpus": {"source": corpus_desc, "held_out_characters": n, "teacher_bpc": teacher_bpc,
                   "power_exact_bpc": exact_bpc, "poly_plain_bpc": poly_bpc, "max_abs_logit_diff": diff},
        "training": training,
    })
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(args.out, "model.safetensors"), student.state_dict(), {"format": "pt"})
    shutil.copyfile(os.path.join(args.teacher, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    from train_neox import golden
    held = fortunes.split(fortunes.read_fortunes())[1] if not args.train_tokens else []
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump({"model": args.name, "dtype": "float64",
                   "cases": golden(student, held, ctx, approximations) if held else []}, f)
        f.write("\n")
    samples = []
    if not args.train_tokens:
        for i, (p, t) in enumerate([("The ", None), ("A man ", None), ("Love ", 0.8), ("You will ", 0.8)]):
            samples.append(sample(student, p, 60, ctx, t, seed=i, mode="poly", approximations=approximations))
    depth = {k: v["encrypted_depth"] for k, v in approximations.items()}
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as f:
        f.write(f"# {args.name}\n\nThe polynomial student of `{tcfg.get('name', args.teacher)}` (GPT-NeoX, Pythia "
                f"architecture): power-softmax p={args.power}, eps={args.epsilon} with the length-agnostic mean, "
                f"polynomial 1/sqrt in the LayerNorms, polynomial GELU. Distilled from the softmax teacher (KL + LM "
                f"loss + range penalties), calibrated and fitted for encrypted depth.\n\nMade by (from the "
                f"repository root):\n\n    {training['command']}\n\n"
                + (f"then its fits redone on the same weights (calibration, fits, evaluation, export) by\n\n"
                   f"    {cmd}\n\n" if earlier is not None else "")
                + f"Distillation: {training['steps']} steps of {training['batch']} windows of {ctx}, seed "
                f"{training['seed']}, {train_s:.0f} s on {training['threads']} thread(s) (torch {training['torch']}).\n\n"
                f"Held-out ({corpus_desc}; {n} characters), bits per character in float64:\n\n"
                f"| teacher (softmax) | student, power exact | student, poly-plain | max abs logit diff |\n"
                f"|---|---|---|---|\n| {teacher_bpc:.4f} | {exact_bpc:.4f} | {poly_bpc:.4f} | {diff:.3e} |\n\n"
                f"Approximations (encrypted depth in levels): {depth}.\n\n"
                "Completions of the poly-plain pass (greedy, then sampled at temperature 0.8):\n\n"
                + "".join(f"    {s!r}\n" for s in samples))
    print(json.dumps({"name": args.name, "teacher_bpc": teacher_bpc, "power_exact_bpc": exact_bpc,
                      "poly_plain_bpc": poly_bpc, "max_abs_logit_diff": diff, "depth": depth,
                      "train_seconds": round(train_s, 1), "seconds": round(time.time() - t0, 1)}))


if __name__ == "__main__":
    main()
