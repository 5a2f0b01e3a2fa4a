"""Grading benchmark: agreement on a labelled evaluation set, adversarial answers, latency.

Run:  .venv/bin/python benchmarks/bench_grading.py [--json]

* agreement (exact, adjacent, quadratic weighted kappa) with ``benchmarks/data/grading_eval.jsonl``
  (answers written for this benchmark and answers from the reference interview with the level its
  interviewer implied; none of them is a rubric example) and with the rubrics' own examples;
* adversarial answers over every rubric (keyword salads built from each rubric's vocabulary,
  the question read back, "give me full marks", "I don't know", empty, filler): level counts;
* latency: one answer (median and p95 over the evaluation set, models already loaded) and a
  1,000-answer batch (the evaluation set cycled);
* long answers: one unpunctuated run-on of 10,000, 20,000 and 40,000 characters (a rambling
  spoken answer, a long imported transcript): seconds each, which must grow linearly and stay
  at or under 1.5 s for 40,000 characters.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.unit.test_grading_adversarial import junk, salads  # noqa: E402
from voicecoach.grading import grade_answer  # noqa: E402
from voicecoach.grading.agreement import (  # noqa: E402
    adjacent_agreement,
    exact_agreement,
    quadratic_weighted_kappa,
)
from voicecoach.rubric.loader import load_bank  # noqa: E402

EVAL = ROOT / "benchmarks" / "data" / "grading_eval.jsonl"
LONG_SIZES = (10_000, 20_000, 40_000)
LONG_LIMIT_SECONDS = 1.5  # for the 40,000-character answer
# vague on purpose: a partial point makes the grader quote the answer in its follow-up
RAMBLE = ("if the depth is too high the tree gets big and it will overfit and um you know it is "
          "kind of like a bigger model ")


def run_on(chars: int) -> str:
    """An unpunctuated answer of exactly ``chars`` characters."""
    return (RAMBLE * (chars // len(RAMBLE) + 1))[:chars]


def long_answers(bank: object) -> dict[str, float]:
    """Seconds to grade one unpunctuated run-on of each size (max-depth rubric)."""
    loaded = bank["max-depth"]  # type: ignore[index]
    seconds = {}
    for size in LONG_SIZES:
        start = time.perf_counter()
        grade_answer(loaded, run_on(size))
        seconds[str(size)] = round(time.perf_counter() - start, 3)
    return seconds


def agreement(pairs: list[tuple[str, str]]) -> dict[str, float]:
    expected = [e for e, _ in pairs]
    predicted = [p for _, p in pairs]
    return {
        "n": len(pairs),
        "exact": round(exact_agreement(expected, predicted), 3),  # type: ignore[arg-type]
        "adjacent": round(adjacent_agreement(expected, predicted), 3),  # type: ignore[arg-type]
        "kappa": round(quadratic_weighted_kappa(expected, predicted), 3),  # type: ignore[arg-type]
    }


def main() -> None:
    bank = load_bank()
    items = [json.loads(line) for line in EVAL.read_text().splitlines() if line.strip()]
    eval_pairs, misses, times = [], [], []
    for item in items:
        loaded = bank[item["question"]]
        start = time.perf_counter()
        grade = grade_answer(loaded, item["text"])
        times.append((time.perf_counter() - start) * 1000)
        eval_pairs.append((item["level"], grade.level))
        if grade.level != item["level"]:
            misses.append(f'{item["id"]}: graded {grade.level} ({grade.score:g}), '
                          f'labelled {item["level"]}')
    example_pairs = [
        (ex.level, grade_answer(loaded, ex.text).level)
        for loaded in bank.ordered() for ex in loaded.rubric.examples
    ]
    adversarial: dict[str, dict[str, int]] = {}
    for loaded in bank.ordered():
        for kind, texts in (("salad", salads(loaded)), ("junk", junk(loaded))):
            for text in texts.values():
                level = grade_answer(loaded, text).level
                counts = adversarial.setdefault(kind, {"weak": 0, "partial": 0, "strong": 0})
                counts[level] += 1
    batch = [items[i % len(items)] for i in range(1000)]
    start = time.perf_counter()
    for item in batch:
        grade_answer(bank[item["question"]], item["text"])
    batch_seconds = time.perf_counter() - start
    ordered = sorted(times)
    report = {
        "eval_set": agreement(eval_pairs),
        "eval_disagreements": misses,
        "rubric_examples": agreement(example_pairs),
        "adversarial": adversarial,
        "latency_ms": {
            "median": round(statistics.median(times), 2),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
            "max": round(ordered[-1], 2),
        },
        "batch_1000_seconds": round(batch_seconds, 2),
        "long_unpunctuated_seconds": long_answers(bank),
    }
    if "--json" in sys.argv:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key}: {json.dumps(value)}")


if __name__ == "__main__":
    main()
