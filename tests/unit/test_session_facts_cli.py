"""Session facts agree everywhere, through the real CLI and the real grader (issue 10, done-when):
an imported transcript regrades to the same result with the same bank, and after a saved regrade
with an edited bank ``sessions --json``, ``report --format json``, ``progress --json`` all show
the regraded overall score, as the live summary showed the live one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.fixtures.report import write_bank
from voicecoach.cli import app
from voicecoach.session.store import SessionStore

# The follow-up's answer finishes the sentence the first answer left open. Joined with a bare
# space the two make one sentence with "learn ... noise" in it; joined as two answers they do
# not. Import and regrade must join them the same way, or the regrade "changes" the grade.
TRANSCRIPT = """\
Ann: A common parameter of decision trees is max depth. Why is it a good parameter?
Bob: It limits the complexity and a very deep tree will learn
Ann: Can you say more about what it learns?
Bob: the noise in the training data
Ann: Before I share my feedback, how do you think this interview went?
Bob: Fine.
"""


def _cli(args: list[str], recordings: Path, grader: str = "patterns") -> Any:
    # the phrasing-pattern grader, so every expected score below can be worked out by hand from
    # the toy bank's accept patterns; these tests check how session facts travel between
    # commands, and the judge's agreement with an interviewer is measured on real rubrics
    env = {"VOICECOACH_RECORDINGS": str(recordings), "VOICECOACH_GRADER": grader}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return result


def _json(args: list[str], recordings: Path, grader: str = "patterns") -> Any:
    return json.loads(_cli(args, recordings, grader).stdout)


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = write_bank(tmp_path / "bank")
    path = root / "trees" / "max-depth.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('accept: ["noise"]', 'accept: ["learn* noise"]'), "utf-8")
    return root


def test_an_imported_session_regrades_to_the_same_grades(tmp_path: Path, bank: Path) -> None:
    recordings = tmp_path / "recordings"
    source = tmp_path / "interview.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    _cli(["import-transcript", str(source), "--interviewer", "Ann", "--candidate", "Bob",
          "--id", "imp", "--rubrics", str(bank)], recordings)
    session = SessionStore(recordings).load("imp")
    assert [t.kind for t in session.turns] == ["question", "followup", "self_assessment"]
    imported = session.latest_grades()["max-depth"]
    assert {p.id: p.status for p in imported.key_points} == {
        "complexity": "covered", "noise": "missing"  # two answers, two sentences
    }

    [report] = _json(["regrade", "imp", "--json", "--rubrics", str(bank)], recordings)
    [answer] = report["answers"]
    assert answer["error"] is None and not answer["changed"], answer
    assert answer["new"]["score"] == answer["old"]["score"] == imported.score
    assert answer["reasons"] == []  # same rubric, same grader, same settings


def test_the_judge_regrades_an_imported_session_to_the_same_grades(
    tmp_path: Path, bank: Path
) -> None:
    """The same with the default grader, the key-point judge: its windows span neighbouring
    sentences, so the join must be the same for import and regrade here too."""
    recordings = tmp_path / "recordings"
    source = tmp_path / "interview.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    _cli(["import-transcript", str(source), "--interviewer", "Ann", "--candidate", "Bob",
          "--id", "imp", "--rubrics", str(bank)], recordings, "judge")
    imported = SessionStore(recordings).load("imp").latest_grades()["max-depth"]
    assert imported.provenance.grader == "judge"
    [report] = _json(["regrade", "imp", "--json", "--rubrics", str(bank)], recordings, "judge")
    [answer] = report["answers"]
    assert answer["error"] is None and not answer["changed"], answer
    assert answer["new"]["score"] == answer["old"]["score"] == imported.score
    assert answer["reasons"] == []


def _edit_weight(bank: Path) -> None:
    path = bank / "losses" / "binary-cross-entropy.yaml"
    text = path.read_text(encoding="utf-8")
    assert "weight: 1\n    description: p is" in text
    path.write_text(text.replace("weight: 1\n    description: p is",
                                 "weight: 3\n    description: p is"), encoding="utf-8")


def _shown_scores(recordings: Path, bank: Path, session_id: str) -> dict[str, float | None]:
    """The overall score of one session as each command shows it."""
    [row] = [r for r in _json(["sessions", "--json"], recordings) if r["id"] == session_id]
    report = _json(["report", session_id, "--format", "json", "--rubrics", str(bank)], recordings)
    progress = _json(["progress", "--json", "--rubrics", str(bank)], recordings)
    [listed] = [s for s in progress["sessions"] if s["id"] == session_id]
    return {"sessions": row["score"], "report": report["overall_score"],
            "progress": listed["score"]}


def test_every_command_shows_the_same_overall_score_before_and_after_a_saved_regrade(
    tmp_path: Path, bank: Path
) -> None:
    recordings = tmp_path / "recordings"
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump([
        "It limits the complexity of the tree.",  # max-depth: noise still missing -> a probe
        "Because it would learn the noise in the data.",
        "It is about the probability of the positive class.",  # the formula is missing
        "I should learn the formula.",  # self-assessment
    ]), encoding="utf-8")
    events = tmp_path / "events.jsonl"
    _cli(["practice", "--answers", str(answers), "--no-speak", "--session-id", "live",
          "--questions", "max-depth,binary-cross-entropy", "--events", str(events),
          "--rubrics", str(bank)], recordings)
    [summary] = [e for e in map(json.loads, events.read_text().splitlines())
                 if e["type"] == "summary"]
    live = summary["score"]
    assert live == 62.5  # max-depth 100, binary-cross-entropy 25 (probability only)
    assert _shown_scores(recordings, bank, "live") == dict.fromkeys(
        ("sessions", "report", "progress"), live
    )

    _edit_weight(bank)  # probability now weighs 3 of 6: binary-cross-entropy 25 -> 50
    [report] = _json(["regrade", "live", "--json", "--save", "--rubrics", str(bank)], recordings)
    assert report["saved"] == 1
    regraded = {a["question_id"]: a["new"]["score"] for a in report["answers"]}
    assert regraded == {"max-depth": 100.0, "binary-cross-entropy": 50.0}
    assert _shown_scores(recordings, bank, "live") == dict.fromkeys(
        ("sessions", "report", "progress"), 75.0
    )
