"""The fortune corpus and its character-level tokenizer.

Corpus: the plain-text files of Debian's `fortunes` package (/usr/share/games/fortunes, not the
.dat indexes nor the .u8 links), split into fortunes at lines holding only `%`. A fortune is kept
when every character is printable ASCII, tab or newline (106 of 15 218 are dropped: backspace
overstriking, bells, stray Latin-1/UTF-8). The held-out split is by fortune and deterministic:
a fortune is held out when the first byte of SHA-256(text) is below HELD_OUT_BYTE (about 2 %),
so duplicates land on the same side and the split does not depend on file order.

Tokenizer: one token per character. Id 0 is `<|endoftext|>` (it starts every fortune and ends
it, as Pythia's tokenizer uses it), then tab, newline and the 95 printable ASCII characters:
98 ids. It is written as a Hugging Face `tokenizer.json` whose model is a BPE without merges
(so every character is its own token), without normalizer or pre-tokenizer, and a Fuse decoder
(tokens joined as they are); a character
outside the vocabulary is refused by `encode` (Hugging Face would map it to nothing). Its
post-processor (TemplateProcessing) puts `<|endoftext|>` before a prompt, as every training window
has it before a fortune: so a client that tokenises a prompt as Hugging Face does by default
(`add_special_tokens=True`: polyhe's CLI, SDK and Node example) gives the model the context it was
trained on (docs/decisions.md, "A text prompt starts with <|endoftext|>").
"""
import hashlib
import math
import json
import os

FORTUNE_DIR = "/usr/share/games/fortunes"
HELD_OUT_BYTE = 5  # first SHA-256 byte < 5: 5/256 ~ 2 % of the fortunes
EOT = "<|endoftext|>"
CHARS = ["\t", "\n"] + [chr(c) for c in range(32, 127)]
VOCAB = [EOT] + CHARS
IDS = {c: i for i, c in enumerate(VOCAB)}


def _allowed(text):
    return all(ch in IDS for ch in text)


def read_fortunes(directory=FORTUNE_DIR):
    """All kept fortunes in a stable order (files sorted by name, fortunes in file order)."""
    names = sorted(n for n in os.listdir(directory)
                   if not n.endswith((".dat", ".u8")) and os.path.isfile(os.path.join(directory, n))
                   and not os.path.islink(os.path.join(directory, n)))
    out = []
    for n in names:
        with open(os.path.join(directory, n), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for fortune in text.split("\n%\n"):
            fortune = fortune.strip("\n")
            if fortune and fortune != "%" and _allowed(fortune):
                out.append(fortune)
    return out


def is_held_out(fortune):
    return hashlib.sha256(fortune.encode("utf-8")).digest()[0] < HELD_OUT_BYTE


def split(fortunes):
    train = [f for f in fortunes if not is_held_out(f)]
    held = [f for f in fortunes if is_held_out(f)]
    return train, held


def encode(text):
    """Token ids of text, one per character; ValueError naming the first unknown character."""
    out = []
    for ch in text:
        if ch not in IDS:
            raise ValueError(f"character {ch!r} is not in the vocabulary")
        out.append(IDS[ch])
    return out


def decode(ids):
    return "".join(VOCAB[i] for i in ids)


def document(fortune):
    """The token sequence of one fortune: <|endoftext|> text <|endoftext|>."""
    return [0] + encode(fortune) + [0]


def eval_windows(fortunes, context):
    """The held-out evaluation: each fortune's document cut into consecutive windows of at most
    `context` inputs; window k feeds doc[k*context : (k+1)*context] and predicts the next token
    of each. Windows with no target are skipped. Returns a list of (inputs, targets)."""
    out = []
    for f in fortunes:
        doc = document(f)
        for s in range(0, len(doc) - 1, context):
            inp = doc[s:s + context]
            tgt = doc[s + 1:s + context + 1]
            inp = inp[:len(tgt)]
            out.append((inp, tgt))
    return out


def tokenizer_json():
    """The Hugging Face tokenizer.json of the character vocabulary (BPE model, no merges)."""
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": 0, "content": EOT, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": EOT, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": EOT, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": EOT, "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {EOT: {"id": EOT, "ids": [0], "tokens": [EOT]}},
        },
        "decoder": {"type": "Fuse"},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": {t: i for i, t in enumerate(VOCAB)}, "merges": []},
    }


def write_tokenizer(path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(), f, ensure_ascii=False, indent=1)
        f.write("\n")


def write_held_out(texts_path, ids_path):
    """The held-out split for Java: texts_path gets one JSON object {"text"} per line (shipped, for
    `models eval`), ids_path {"ids"} per line, this tokenizer's ids of each text (a test resource:
    Java's tokenisation must equal them)."""
    _, held = split(read_fortunes())
    with open(texts_path, "w", encoding="utf-8") as t, open(ids_path, "w") as i:
        for f in held:
            t.write(json.dumps({"text": f}) + "\n")
            i.write(json.dumps({"ids": encode(f)}) + "\n")


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == "--write-held-out":
        write_held_out(sys.argv[2], sys.argv[3])
        sys.exit(0)
    fs = read_fortunes()
    tr, ho = split(fs)
    print(len(fs), "fortunes;", len(tr), "train", sum(map(len, tr)), "chars;", len(ho), "held out",
          sum(map(len, ho)), "chars")


# --- training and evaluation helpers (torch) -------------------------------------------------
def stream(fortunes):
    """The training token stream: <|endoftext|> f1 <|endoftext|> f2 ... <|endoftext|>."""
    out = []
    for f in fortunes:
        out.append(0)
        out.extend(encode(f))
    out.append(0)
    return out


def batches(tokens, context, batch, gen):
    """Endless random windows of context + 1 tokens from the stream (inputs, targets)."""
    import torch
    data = torch.tensor(tokens, dtype=torch.long)
    while True:
        start = torch.randint(0, len(tokens) - context - 1, (batch,), generator=gen)
        w = torch.stack([data[s:s + context + 1] for s in start.tolist()])
        yield w[:, :-1], w[:, 1:]


def padded(windows, context):
    """Windows as [N, context] inputs/targets, padded with 0, and the target mask."""
    import torch
    n = len(windows)
    inp = torch.zeros((n, context), dtype=torch.long)
    tgt = torch.zeros((n, context), dtype=torch.long)
    mask = torch.zeros((n, context), dtype=torch.bool)
    for r, (i, t) in enumerate(windows):
        inp[r, :len(i)] = torch.tensor(i)
        tgt[r, :len(t)] = torch.tensor(t)
        mask[r, :len(t)] = True
    return inp, tgt, mask


def bits_per_char(model, windows, context, mode="exact", approximations=None, chunk=256):
    """Held-out bits per character: sum of -log2 p(target) over all targets / number of targets
    (every target is one character or the closing <|endoftext|>). Returns (bpc, targets)."""
    import torch
    import torch.nn.functional as F
    total, count = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(windows), chunk):
            inp, tgt, mask = padded(windows[s:s + chunk], context)
            lengths = mask.sum(1)
            logits = model(inp, mode, approximations)
            nll = F.cross_entropy(logits[mask], tgt[mask], reduction="sum")
            total += float(nll)
            count += int(mask.sum())
            del lengths
    return total / count / math.log(2), count
