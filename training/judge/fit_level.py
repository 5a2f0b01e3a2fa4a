"""Fit the judge's level model (``voicecoach/grading/judge/data/level.json``) and measure it.

The level of an answer is learnt from the judge's verdicts and probabilities
(``voicecoach.grading.judge.level``): a multinomial logistic regression fitted on the ``dev``
split, questions the judge never trained on. This grades every labelled answer that is not
``train`` and every rubric example (``rx-*``, never fitted on) with the shipped judge, computes
the features with the run-time code, fits, writes the model, and reports exact / QWK /
two-levels-out / adversarial-strong on every split, the rubric's arithmetic and the learnt level
side by side, one process, and the adversarial unit tests' junk and salads for every rubric
(``tests/fixtures/adversarial.py``: all must stay weak). Rebuild it after retraining the judge or
changing how it decides.

``--kind ordinal`` fits one score with two cuts instead (measured 2026-12-03, same run and cache:
fewer answers two levels out, test 15 -> 10, but test exact 0.744 -> 0.702 and 28% of the keyword
salads partial instead of weak), so the shipped kind is multinomial, and ``grading.score.
relevelled`` lets it move a level at most one step from the rubric's arithmetic.

Run:  .venv/bin/python training/judge/fit_level.py [--cache /tmp/judge-features.pkl] [--dry-run]
      [--kind multinomial|ordinal] [--model DIR --out DIR/level.json]
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fixtures.adversarial import junk, salads  # noqa: E402
from training.judge.dataset import load_answers, split_of  # noqa: E402
from training.judge.evaluate import ADVERSARIAL  # noqa: E402
from voicecoach.grading.agreement import exact_agreement, quadratic_weighted_kappa  # noqa: E402
from voicecoach.grading.judge.decide import JudgeSettings  # noqa: E402
from voicecoach.grading.judge.level import LEVEL_FILE, LevelModel  # noqa: E402
from voicecoach.grading.judge.model import DATA_DIR, JudgeModel  # noqa: E402
from voicecoach.grading.judge.verdicts import judge_grade, level_features  # noqa: E402
from voicecoach.grading.offline import INSTRUCTION_CAP  # noqa: E402
from voicecoach.grading.score import aggregate, relevelled  # noqa: E402
from voicecoach.rubric.loader import load_bank  # noqa: E402
from voicecoach.rubric.schema import LEVELS  # noqa: E402

SPLITS = ["dev", "test", "voices", "rx-dev", "rx-test", "rx-train", "junk", "salad"]
L2, STEPS, RATE = 1.0, 6000, 0.3


def collect(directory: Path = DATA_DIR) -> list[dict[str, Any]]:
    """Every non-train answer and every rubric example, with the features of the judge in
    ``directory`` (the shipped one by default)."""
    bank = load_bank()
    items: list[dict[str, Any]] = [
        {"q": a.question, "split": a.split, "style": a.style, "level": a.level, "text": a.text}
        for a in load_answers(bank) if a.split != "train"]
    for qid in bank:
        for example in bank[qid].rubric.examples:
            items.append({"q": qid, "split": "rx-" + split_of(qid), "style": "rx",
                          "level": example.level, "text": example.text})
        # the adversarial unit tests' answers, built for every rubric: never strong
        for kind, made in (("junk", junk(bank[qid])), ("salad", salads(bank[qid]))):
            for text in made.values():
                items.append({"q": qid, "split": kind, "style": "salad", "level": "weak",
                              "text": text})
    model = JudgeModel(directory, cache_size=1_000_000)
    started = time.perf_counter()
    for n, item in enumerate(items):
        rubric = bank[item["q"]].rubric
        result = judge_grade(rubric, item["text"], model, JudgeSettings())
        extra = (INSTRUCTION_CAP, "addresses the grader") if result.instruction else None
        score, level, _ = aggregate(rubric, result.key_points, result.misconceptions,
                                    extra_cap=extra)
        item.update(features=level_features(result, item["text"], score),
                    arithmetic=level, score=score, extra=extra, points=result.key_points,
                    misconceptions=result.misconceptions)
        if n % 200 == 0:
            print(f"graded {n}/{len(items)} ({time.perf_counter() - started:.0f} s)", flush=True)
    return items


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Multinomial logistic regression by gradient descent (``x`` has a bias column)."""
    w = np.zeros((x.shape[1], len(LEVELS)))
    target = np.eye(len(LEVELS))[y]
    for _ in range(STEPS):
        z = x @ w
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        w -= RATE * (x.T @ (p - target) + L2 * w) / len(x)
    return w


def fit_ordinal(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ordinal (cumulative-link) logistic regression: one score ``s = x @ w`` and two cuts, the
    level being how many cuts ``s`` exceeds. Returned as multinomial weights (column ``k`` is
    ``k * w`` less the cuts below ``k``), whose argmax is that same level, so the run-time model
    is one linear map either way. One score for all levels means a level can only rise with it:
    no answer can be judged strong-or-weak but never partial (the multinomial fit did that to a
    question read back twice, ``tests/unit/test_grading_adversarial.py``)."""
    features = x[:, 1:]  # the score needs no bias: the cuts are the bias
    w = np.zeros(features.shape[1])
    cuts = np.array([-1.0, 1.0])

    def sigmoid(v: np.ndarray) -> np.ndarray:
        return np.asarray(1 / (1 + np.exp(-v)))

    for _ in range(STEPS):
        s = features @ w
        edges = np.hstack([np.full((len(s), 1), -np.inf), cuts[None, :] - s[:, None],
                           np.full((len(s), 1), np.inf)])
        upper, lower = edges[np.arange(len(y)), y + 1], edges[np.arange(len(y)), y]
        su, sl = sigmoid(upper), sigmoid(lower)
        p = np.maximum(su - sl, 1e-12)
        du, dl = su * (1 - su), sl * (1 - sl)  # 0 at the infinite edges
        grad_s = (du - dl) / p
        grad_w = features.T @ grad_s / len(y) + L2 * w / len(y)
        grad_c = np.zeros(2)
        for k in range(2):
            grad_c[k] = (-(du / p)[y == k].sum() + (dl / p)[y == k + 1].sum()) / len(y)
        w -= RATE * grad_w
        cuts = np.sort(cuts - RATE * grad_c)
    weights = np.zeros((x.shape[1], len(LEVELS)))
    for k in range(len(LEVELS)):
        weights[0, k] = -cuts[:k].sum()
        weights[1:, k] = k * w
    return weights


def report(name: str, items: list[dict[str, Any]], got: list[str]) -> str:
    expected = [i["level"] for i in items]
    strong = sum(i["style"] in ADVERSARIAL and g == "strong" for i, g in zip(items, got,
                                                                             strict=True))
    two = sum({e, g} == {"weak", "strong"} for e, g in zip(expected, got, strict=True))
    return (f"{name:9} n={len(items):4} exact {exact_agreement(expected, got):.3f} "  # type: ignore[arg-type]
            f"qwk {quadratic_weighted_kappa(expected, got):.3f} two-out {two:3} "  # type: ignore[arg-type]
            f"adversarial-strong {strong}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="pickle of the graded answers (made once)")
    parser.add_argument("--model", type=Path, default=DATA_DIR,
                        help="the judge to grade with (default: the shipped one); a retrained "
                             "model is measured here before it replaces the shipped one")
    parser.add_argument("--out", type=Path, default=DATA_DIR / LEVEL_FILE)
    parser.add_argument("--dry-run", action="store_true", help="measure only, write nothing")
    parser.add_argument("--kind", choices=["multinomial", "ordinal"], default="multinomial")
    args = parser.parse_args()
    if args.cache and args.cache.is_file():
        items = pickle.loads(args.cache.read_bytes())
    else:
        items = collect(args.model)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(items))
    split = {s: [i for i in items if i["split"] == s] for s in SPLITS}
    x = np.array([i["features"] for i in split["dev"]])
    mean, std = x.mean(0), x.std(0) + 1e-6
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    y = np.array([LEVELS.index(i["level"]) for i in split["dev"]])
    weights = fit_ordinal(z, y) if args.kind == "ordinal" else fit(z, y)
    judge = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    model = LevelModel(mean, std, weights, {
        "split": "dev", "answers": len(split["dev"]), "judge_sha256": judge["sha256"],
        "kind": args.kind, "l2": L2, "steps": STEPS, "rate": RATE,
        "command": "training/judge/fit_level.py"})
    bank = load_bank()
    for s in SPLITS:
        print("arithmetic", report(s, split[s], [i["arithmetic"] for i in split[s]]))
        learnt = [relevelled(bank[i["q"]].rubric, i["score"], i["arithmetic"],
                             model.level(i["features"]), i["points"], i["misconceptions"],
                             i["extra"])[1]
                  for i in split[s]]
        print("learnt    ", report(s, split[s], learnt))
    if not args.dry_run:
        args.out.write_text(model.to_json(), encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
