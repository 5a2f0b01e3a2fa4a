"""``voicecoach grade`` (card, --json, --batch) and ``voicecoach rubrics test`` through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.rubric.loader import RubricBank

runner = CliRunner()
GOOD = ("Max depth limits how many splits the tree can make, so it controls complexity. A very "
        "deep tree keeps splitting until each leaf has a few samples, so it memorizes the noise "
        "and overfits. Too shallow underfits, so you tune it with cross validation.")


def test_grade_json_has_the_documented_fields() -> None:
    result = runner.invoke(app, ["grade", "-q", "max-depth", "-t", GOOD, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"question", "rubric_version", "score", "level", "key_points", "misconceptions",
            "followup"} <= set(data)
    assert data["question"] == "max-depth" and data["level"] == "strong"
    assert all({"id", "status", "evidence"} <= set(p) for p in data["key_points"])
    assert "delivery" not in data  # text answers have no timings
    assert data["provenance"]["rubric_hash"]


def test_grade_card_is_readable() -> None:
    result = runner.invoke(app, ["grade", "-q", "max-depth", "-t", "it will overfit"])
    assert result.exit_code == 0, result.output
    assert "max-depth" in result.output and "Next probe" in result.output


def test_grade_needs_exactly_one_answer(bank: RubricBank) -> None:
    result = runner.invoke(app, ["grade", "-q", "max-depth"])
    assert result.exit_code != 0


def test_batch_keeps_order_ids_and_survives_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "question": "max-depth", "text": GOOD}),
        "{not json",
        json.dumps({"id": "c", "question": "no-such-question", "text": "x"}),
        json.dumps({"id": "d", "question": "kmeans", "text": "I don't know."}),
        json.dumps({"id": "e", "question": "kmeans"}),
        json.dumps({"question": "kmeans", "audio": "missing.wav"}),
    ]
    batch = tmp_path / "answers.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["grade", "--batch", str(batch), "--json"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == 6
    assert out[0]["id"] == "a" and out[0]["level"] == "strong"
    assert "error" in out[1] and "line 2" in out[1]["error"]
    assert out[2]["id"] == "c" and "no-such-question" in out[2]["error"]
    assert out[3]["id"] == "d" and out[3]["level"] == "weak"
    assert out[4]["id"] == "e" and "error" in out[4]
    assert "error" in out[5]


def test_rubrics_test_passes_on_the_pattern_rubrics() -> None:
    """The pattern grader on the rubrics that carry patterns (the reference interview's 17)."""
    from voicecoach.rubric.loader import load_bank

    paths = [str(loaded.path) for loaded in load_bank().ordered()
             if all(point.accept for point in loaded.rubric.key_points)]
    result = runner.invoke(app, ["rubrics", "test", "--json", "--grader", "patterns", *paths])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["passed"] is True
    assert data["overall"]["exact"] >= 0.8 and data["overall"]["kappa"] >= 0.75
    assert len(data["questions"]) == 17


def test_rubrics_test_fails_below_the_threshold(tmp_path: Path) -> None:
    source = Path("rubrics/trees/max-depth.yaml")
    broken = tmp_path / "max-depth.yaml"
    text = source.read_text(encoding="utf-8")
    # relabel every example strong: the grader now disagrees with most labels
    text = text.replace("level: partial", "level: strong").replace("level: weak", "level: strong")
    broken.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["rubrics", "test", str(broken), "--min-kappa", "0.5"])
    assert result.exit_code == 1
    assert "FAIL" in result.output
    shutil.rmtree(tmp_path)
