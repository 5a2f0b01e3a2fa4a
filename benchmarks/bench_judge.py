"""Key-point judge benchmark: quality side by side with the patterns and a similarity baseline,
latency, throughput, model load time and memory.

Run:  .venv/bin/python benchmarks/bench_judge.py [--model DIR] [--json OUT]

* quality: ``training/judge/evaluate.py``'s graders on the labelled answers, per split (``test``:
  questions the judge never saw; ``voices``: a second author's answers to questions it was
  trained on; ``dev``: where thresholds were chosen) and per style, all in one run;
* latency: grading one ~20 s answer (45–70 words) with the model loaded, median and p95, cold
  (nothing cached) and after the answer was judged at its pauses while it was spoken (the
  interviewer does that, as it transcribes at pauses);
* throughput: 1,000 answers; model load time; peak RSS of this process.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.judge.dataset import SPLITS, load_answers  # noqa: E402
from training.judge.evaluate import (  # noqa: E402
    Similarity,
    evaluate,
    judge_grader,
    pattern_grader,
)
from voicecoach.grading.judge.decide import JudgeSettings  # noqa: E402
from voicecoach.grading.judge.model import DATA_DIR, JudgeModel  # noqa: E402
from voicecoach.grading.judge.verdicts import judge_grade  # noqa: E402
from voicecoach.rubric.loader import load_bank  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def measure_quality(bank, model, split):  # type: ignore[no-untyped-def]
    """The graders side by side per split (what ``evaluate.py`` prints)."""
    quality: dict[str, object] = {}
    similarity = Similarity()
    similarity.fit(bank, split["dev"])
    graders = {
        "judge": judge_grader(bank, model, JudgeSettings()),
        "patterns": pattern_grader(bank),
        "similarity": similarity.grader(bank),
    }
    for name in ("test", "voices", "dev"):
        quality[name] = {g: evaluate(grader, split[name]) for g, grader in graders.items()}
        for g, r in quality[name].items():  # type: ignore[attr-defined]
            print(f"{name:6} {g:10} n={r['n']} exact {r['exact']} adjacent {r['adjacent']} "
                  f"qwk {r['qwk']} adversarial-strong {r['strong_among_adversarial']}",
                  flush=True)
    return quality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DATA_DIR)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--speed-only", action="store_true",
                        help="skip the quality tables (evaluate.py gives them): latency, "
                             "throughput, load time and memory only")
    args = parser.parse_args()
    bank = load_bank()
    answers = load_answers(bank)
    split = {s: [a for a in answers if a.split == s] for s in SPLITS}

    started = time.perf_counter()
    JudgeModel(args.model)
    load_seconds = time.perf_counter() - started

    report: dict[str, object] = {"model_load_seconds": round(load_seconds, 3)}
    model = JudgeModel(args.model, cache_size=1_000_000)
    quality: dict[str, object] = {}
    if not args.speed_only:
        quality = measure_quality(bank, model, split)
    report["quality"] = quality

    # latency on ~20 s answers, a fresh model each time so nothing is cached
    talk = [a for a in answers if 45 <= len(a.text.split()) <= 70][:60]
    cold, warm = [], []
    fresh = JudgeModel(args.model, cache_size=100_000)
    for answer in talk:
        rubric = bank[answer.question].rubric
        fresh._cache.clear()
        started = time.perf_counter()
        judge_grade(rubric, answer.text, fresh)
        cold.append((time.perf_counter() - started) * 1000)
        fresh._cache.clear()
        words = answer.text.split()
        for cut in range(15, len(words), 15):  # judged at the pauses while it was spoken
            judge_grade(rubric, " ".join(words[:cut]), fresh)
        started = time.perf_counter()
        judge_grade(rubric, answer.text, fresh)
        warm.append((time.perf_counter() - started) * 1000)
    report["latency_20s_answer_ms"] = {
        "answers": len(talk),
        "cold_median": round(statistics.median(cold), 1), "cold_p95": round(p95(cold), 1),
        "after_pauses_median": round(statistics.median(warm), 1),
        "after_pauses_p95": round(p95(warm), 1),
    }
    batch = [answers[i % len(answers)] for i in range(1000)]
    fresh._cache.clear()
    started = time.perf_counter()
    for answer in batch:
        judge_grade(bank[answer.question].rubric, answer.text, fresh)
    report["batch_1000_seconds"] = round(time.perf_counter() - started, 1)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps({k: v for k, v in report.items() if k != "quality"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
