"""Experiment (not shipped yet): the answer's level from the judge's probabilities, learnt on dev.

Today the level is the rubric's weighted credit of the point statuses against 70 / 35, and the
statuses are thresholds on each point's best window. This fits a small multinomial logistic
regression on the ``dev`` split instead, over answer-level features of the same verdicts and
probabilities (expected credit, weighted best P(covered) and P(covered)+P(partial), the weakest
required point, the strongest single-sentence contradiction, what the guards set aside, the shipped
score); the hard caps stay (a major misconception or an order to the grader: at most partial).
It reports exact / QWK / two-levels-out / adversarial-strong on every split and the rubric examples
(``rx-*``, never trained on), shipped rule and learnt rule side by side, one process.

Run:  .venv/bin/python training/judge/stack_experiment.py [--cache /tmp/judge-features.pkl]

Measured 2026-12-02 (benchmarks/README.md, "Key-point judge"): test exact 0.698 -> 0.752,
voices 0.755 -> 0.779, rubric examples of dev questions 0.585 -> 0.660, 0 adversarial strong.
To ship it: compute the same features inside ``voicecoach.grading.judge``, keep the weights in a
JSON next to the model (recorded in provenance), and re-run the adversarial suite on every rubric.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.judge.dataset import load_answers, split_of  # noqa: E402
from training.judge.evaluate import ADVERSARIAL  # noqa: E402
from voicecoach.grading.agreement import exact_agreement, quadratic_weighted_kappa  # noqa: E402
from voicecoach.grading.judge.decide import (  # noqa: E402
    CONTRADICTED,
    COVERED,
    PARTIAL,
    JudgeSettings,
)
from voicecoach.grading.judge.model import JudgeModel, point_text  # noqa: E402
from voicecoach.grading.judge.verdicts import judge_grade  # noqa: E402
from voicecoach.grading.judge.windows import answer_windows  # noqa: E402
from voicecoach.grading.score import CREDIT, aggregate  # noqa: E402
from voicecoach.rubric.loader import load_bank  # noqa: E402

LEVELS = ["weak", "partial", "strong"]
SPLITS = ["dev", "test", "voices", "rx-dev", "rx-test", "rx-train"]


def collect() -> list[dict[str, Any]]:
    """Every non-train answer and every rubric example, with the shipped judge's verdicts and the
    probabilities of every (point, window) pair it read."""
    bank = load_bank()
    items: list[dict[str, Any]] = [
        {"id": a.id, "q": a.question, "split": a.split, "style": a.style, "level": a.level,
         "text": a.text} for a in load_answers(bank) if a.split != "train"]
    for qid in bank:
        for n, example in enumerate(bank[qid].rubric.examples):
            items.append({"id": f"{qid}-rx{n}", "q": qid, "split": "rx-" + split_of(qid),
                          "style": "rx", "level": example.level, "text": example.text})
    model = JudgeModel(cache_size=1_000_000)
    seen: dict[tuple[str, str], Any] = {}
    predict = model.predict

    def recording(pairs: Any) -> Any:
        out = predict(pairs)
        seen.update(zip(pairs, out, strict=True))
        return out

    model.predict = recording  # type: ignore[method-assign]
    for n, item in enumerate(items):
        rubric = bank[item["q"]].rubric
        seen.clear()
        result = judge_grade(rubric, item["text"], model, JudgeSettings())
        extra = ("partial", "addresses the grader") if result.instruction else None
        score, level, _ = aggregate(rubric, result.key_points, result.misconceptions,
                                    extra_cap=extra)
        pieces = {w.text: w.pieces for w in answer_windows(item["text"])}
        probs = {}
        for point in rubric.key_points:
            claim = point_text(rubric.question, point.description)
            probs[point.id] = [(pieces.get(w, 9), p) for (c, w), p in seen.items() if c == claim]
        item.update(kp=[(k.id, k.status, k.required, k.weight) for k in result.key_points],
                    majors=any(m.severity == "major" for m in result.misconceptions),
                    instruction=result.instruction, ignored=bool(result.ignored),
                    pred=level, score=score, probs=probs, words=len(item["text"].split()))
        if n % 200 == 0:
            print(f"{n}/{len(items)}", flush=True)
    return items


def point_features(rows: list[tuple[int, Any]]) -> np.ndarray:
    """Best P(covered), P(covered)+P(partial), P(partial), single-sentence P(contradicted), and
    the mean of the two best P(covered) of one point."""
    if not rows:
        return np.zeros(5)
    p = np.array([o for _, o in rows])
    single = np.array([pieces == 1 for pieces, _ in rows])
    contradicted = float((p[:, CONTRADICTED] * single).max()) if single.any() else 0.0
    return np.array([p[:, COVERED].max(), (p[:, COVERED] + p[:, PARTIAL]).max(),
                     p[:, PARTIAL].max(), contradicted, np.sort(p[:, COVERED])[-2:].mean()])


def answer_features(item: dict[str, Any]) -> np.ndarray:
    kp = item["kp"]
    weight = np.array([k[3] for k in kp], float)
    weight /= weight.sum()
    required = np.array([k[2] for k in kp]) if any(k[2] for k in kp) else np.ones(len(kp), bool)
    f = np.array([point_features(item["probs"][k[0]]) for k in kp])
    status = [k[1] for k in kp]
    return np.array([
        (weight * np.array([CREDIT[s] for s in status])).sum(),
        (weight * f[:, 0]).sum(), (weight * f[:, 1]).sum(), f[required, 0].min(),
        f[required, 1].min(), f[required, 3].max(), f[:, 3].max(), (weight * f[:, 4]).sum(),
        sum(s == "covered" for s in status) / len(status),
        sum(s in ("covered", "partial") for s in status) / len(status),
        float(any(s == "contradicted" and k[2] for s, k in zip(status, kp, strict=True))),
        float(item["majors"]), float(item["instruction"]), float(item["ignored"]),
        np.log1p(item["words"]) / 5, item["score"] / 100,
    ])


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 6000) -> np.ndarray:
    """Multinomial logistic regression by gradient descent (x has a bias column)."""
    w = np.zeros((x.shape[1], 3))
    target = np.eye(3)[y]
    for _ in range(steps):
        z = x @ w
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        w -= 0.3 * (x.T @ (p - target) + l2 * w) / len(x)
    return w


def capped(item: dict[str, Any], level: int) -> int:
    return 1 if level == 2 and (item["majors"] or item["instruction"]) else level


def report(name: str, items: list[dict[str, Any]], predicted: list[int]) -> str:
    expected = [i["level"] for i in items]
    got = [LEVELS[p] for p in predicted]
    strong = sum(i["style"] in ADVERSARIAL and g == "strong" for i, g in zip(items, got,
                                                                             strict=True))
    two = sum({e, g} == {"weak", "strong"} for e, g in zip(expected, got, strict=True))
    return (f"{name:9} n={len(items):4} exact {exact_agreement(expected, got):.3f} "  # type: ignore[arg-type]
            f"qwk {quadratic_weighted_kappa(expected, got):.3f} two-out {two:3} "  # type: ignore[arg-type]
            f"adversarial-strong {strong}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="pickle of the judge's features (made once)")
    args = parser.parse_args()
    if args.cache and args.cache.is_file():
        items = pickle.loads(args.cache.read_bytes())
    else:
        items = collect()
        if args.cache:
            args.cache.write_bytes(pickle.dumps(items))
    split = {s: [i for i in items if i["split"] == s] for s in SPLITS}
    x = {s: np.array([answer_features(i) for i in split[s]]) for s in SPLITS}
    mean, std = x["dev"].mean(0), x["dev"].std(0) + 1e-6
    z = {s: np.hstack([np.ones((len(x[s]), 1)), (x[s] - mean) / std]) for s in SPLITS}
    w = fit(z["dev"], np.array([LEVELS.index(i["level"]) for i in split["dev"]]))
    for s in SPLITS:
        print("shipped ", report(s, split[s], [LEVELS.index(i["pred"]) for i in split[s]]))
        print("learnt  ", report(s, split[s], [capped(i, int(q)) for i, q in
                                              zip(split[s], (z[s] @ w).argmax(1), strict=True)]))


if __name__ == "__main__":
    main()
