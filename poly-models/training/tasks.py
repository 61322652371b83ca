"""Tasks, tokenizer and data generation for the shipped polyhe models.

Character-level tokenizer over a fixed 18-symbol vocabulary; three tasks share one model:

  sort     ^S<digits>=<sorted digits>$
  reverse  ^R<digits>=<digits reversed>$
  count    ^C<q>|<digits>=<number of q in digits>$

'^' is BOS, '$' is EOS, '_' is padding. The prompt ends with '='; the answer is what follows,
up to and including '$'. The Java side (io.polyhe.models.tokenizer) mirrors this file exactly.
"""
import json
import random

VOCAB = ["_", "^", "$", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "S", "R", "C", "|", "="]
PAD, BOS, EOS = 0, 1, 2
INDEX = {c: i for i, c in enumerate(VOCAB)}
TASKS = ("sort", "reverse", "count")
# (min_len, max_len) of the digit list per task; count stays <= 9 so its answer is one digit.
LENGTHS = {"sort": (3, 10), "reverse": (3, 10), "count": (3, 9)}
MAX_SEQ = 24  # ^S + 10 digits + = + 10 digits + $


def encode(text):
    try:
        return [INDEX[c] for c in text]
    except KeyError as e:
        raise ValueError(f"character {e.args[0]!r} is not in the vocabulary") from None


def decode(ids):
    return "".join(VOCAB[i] for i in ids)


def sample(task, rng):
    """One (prompt, answer) pair; answer excludes the trailing '$'."""
    lo, hi = LENGTHS[task]
    n = rng.randint(lo, hi)
    if task == "count":
        # Draw the count uniformly so every answer digit is equally represented.
        q = rng.randint(0, 9)
        k = rng.randint(0, n)
        others = [d for d in range(10) if d != q]
        digits = [q] * k + [rng.choice(others) for _ in range(n - k)]
        rng.shuffle(digits)
        s = "".join(map(str, digits))
        return f"^C{q}|{s}=", str(k)
    digits = [rng.randint(0, 9) for _ in range(n)]
    s = "".join(map(str, digits))
    if task == "sort":
        return f"^S{s}=", "".join(sorted(s))
    return f"^R{s}=", s[::-1]


TEST_SEED = 20250901
TEST_PER_TASK = 500


def test_set(seed=TEST_SEED, per_task=TEST_PER_TASK):
    """Deterministic held-out test set: distinct prompts, per_task per task."""
    rng = random.Random(seed)
    out = []
    for task in TASKS:
        seen = set()
        while len(seen) < per_task:
            p, a = sample(task, rng)
            if p in seen:
                continue
            seen.add(p)
            out.append({"task": task, "prompt": p, "answer": a})
    return out


def write_test_set(path):
    rows = test_set()
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    return rows


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 3 or sys.argv[1] != "--write-testset":
        sys.exit("usage: tasks.py --write-testset PATH")
    rows = write_test_set(sys.argv[2])
    print(f"wrote {len(rows)} prompts to {sys.argv[2]}")
