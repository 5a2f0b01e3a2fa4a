"""Validate the judge's labelled answers (training/judge/DATA.md) against the rubric bank.

Run:  .venv/bin/python training/judge/check_data.py [FILE...]

Prints ``file:line: message`` for every problem and exits 1 if there is any, so a data writer can
fix a file before it is used for training or evaluation.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from voicecoach.rubric.loader import load_bank  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "answers"
CLAIMS = Path(__file__).resolve().parent / "data" / "claims"
STATUSES = {"covered", "partial", "missing", "contradicted"}
LEVELS = {"strong", "partial", "weak"}
STYLES = {
    "textbook", "terse", "spoken", "asr", "nonnative", "rambling", "gist", "wrong", "negation",
    "salad", "echo", "injection", "dontknow", "offtopic",
}


def check_file(path: Path, bank: object, seen: set[str]) -> list[str]:
    """Every problem of one answers file."""
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue

        def bad(message: str, number: int = number) -> None:
            problems.append(f"{path}:{number}: {message}")

        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            bad(f"not JSON: {error}")
            continue
        question = item.get("question")
        if question not in bank:  # type: ignore[operator]
            bad(f"unknown question {question!r}")
            continue
        rubric = bank[question].rubric  # type: ignore[index]
        if item.get("id") in seen:
            bad(f"duplicate id {item.get('id')!r}")
        seen.add(item.get("id"))
        if item.get("style") not in STYLES:
            bad(f"style {item.get('style')!r} is not one of {sorted(STYLES)}")
        if item.get("level") not in LEVELS:
            bad(f"level {item.get('level')!r}")
        text = item.get("text", "")
        if not isinstance(text, str):
            bad("text must be a string")
            continue
        points = item.get("points", {})
        ids = [p.id for p in rubric.key_points]
        if set(points) != set(ids):
            bad(f"points must name exactly {ids}; got {sorted(points)}")
        for point_id, status in points.items():
            if status not in STATUSES:
                bad(f"{point_id}: status {status!r}")
            quotes = item.get("evidence", {}).get(point_id, [])
            if status != "missing" and not quotes:
                bad(f"{point_id} is {status} but has no evidence")
            for quote in quotes:
                if quote not in text:
                    bad(f"{point_id}: evidence is not an exact substring: {quote!r}")
        known = {m.id for m in rubric.misconceptions}
        for mis in item.get("misconceptions", []):
            if mis not in known:
                bad(f"unknown misconception {mis!r}")
    return problems


def check_claims(path: Path, bank: object) -> list[str]:
    """Every problem of one file of other wordings of the rubrics' claims (DATA.md)."""
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: not JSON: {error}")
            continue
        question, kind = item.get("question"), item.get("kind")
        if question not in bank:  # type: ignore[operator]
            problems.append(f"{path}:{number}: unknown question {question!r}")
            continue
        rubric = bank[question].rubric  # type: ignore[index]
        ids = {p.id for p in rubric.key_points} if kind == "point" \
            else {m.id for m in rubric.misconceptions} if kind == "misconception" else set()
        if item.get("id") not in ids:
            problems.append(f"{path}:{number}: no {kind} {item.get('id')!r} in {question}")
        wordings = item.get("paraphrases")
        if not isinstance(wordings, list) or not wordings or \
                not all(isinstance(w, str) and w.strip() for w in wordings):
            problems.append(f"{path}:{number}: paraphrases must be a list of non-empty strings")
    return problems


def main(argv: list[str]) -> int:
    bank = load_bank()
    files = [Path(a) for a in argv] or sorted(DATA.glob("*.jsonl"))
    seen: set[str] = set()
    problems: list[str] = []
    counts: Counter[str] = Counter()
    for path in files:
        problems += check_file(path, bank, seen)
        counts[path.stem] = sum(1 for line in path.read_text().splitlines() if line.strip())
    claims = [] if argv else sorted(CLAIMS.glob("*.jsonl"))
    for path in claims:
        problems += check_claims(path, bank)
    for problem in problems:
        print(problem)
    print(f"{sum(counts.values())} answers in {len(files)} files, {len(claims)} files of "
          f"claim wordings; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
