"""Done-when for the import: the reference interview, imported with the real bank and offline
grader, reports the gaps and strengths the reference interviewer named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.report import run_cli
from voicecoach.session.store import SessionStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def payload(reference_store: tuple[Path, Path, str]) -> dict[str, Any]:
    recordings, bank, session_id = reference_store
    result = run_cli(
        ["report", session_id, "--format", "json", "--rubrics", str(bank)],
        {"VOICECOACH_RECORDINGS": str(recordings)},
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _about(items: list[dict[str, Any]], question_id: str, *words: str) -> list[dict[str, Any]]:
    """Items of one question whose text or evidence mentions any of ``words``."""
    return [
        item
        for item in items
        if item["question_id"] == question_id
        and any(w in (item["text"] + " " + item["evidence"]).lower() for w in words)
    ]


def test_json_has_the_agreed_keys(payload: dict[str, Any]) -> None:
    for key in ("strengths", "gaps", "advice", "questions", "delivery"):
        assert key in payload, key
    assert payload["advice"], "no practice advice"


def test_gaps_are_the_ones_the_interviewer_named(payload: dict[str, Any]) -> None:
    gaps = payload["gaps"]
    assert _about(gaps, "binary-cross-entropy", "formula", "log"), gaps
    assert _about(gaps, "reduce-overfitting", "regulari"), gaps
    assert _about(gaps, "recommendation-framing", "user", "pair", "probab"), gaps


def test_strengths_are_the_concepts_the_interviewer_praised(payload: dict[str, Any]) -> None:
    strengths = payload["strengths"]
    assert _about(strengths, "max-depth", "noise", "overfit", "spurious"), strengths
    assert _about(strengths, "detect-overfitting", "train", "test", "error"), strengths
    assert [s for s in strengths if s["question_id"] == "loss-functions"], strengths


def test_strengths_and_gaps_cite_evidence_from_the_candidate(
    payload: dict[str, Any], reference_store: tuple[Path, Path, str]
) -> None:
    text = " ".join(Path(__file__).parents[1].joinpath(
        "fixtures", "data", "ml-mock-interview-transcript.txt"
    ).read_text(encoding="utf-8").split())
    quoted = [s for s in payload["strengths"] if s["evidence"]]
    assert quoted, "strengths without evidence"
    for item in quoted:
        for fragment in item["evidence"].split("…"):
            assert " ".join(fragment.split()).strip(' "') in text, item


def test_session_structure(reference_store: tuple[Path, Path, str]) -> None:
    recordings, _, session_id = reference_store
    session = SessionStore(recordings).load(session_id)
    assert session.status == "imported"
    asked = [t.question_id for t in session.turns if t.kind == "question"]
    assert len(asked) == len(set(asked)) >= 15, asked
    assert asked.index("max-depth") < asked.index("reduce-overfitting") < asked.index(
        "recommendation-framing"
    )
    assert any(t.kind == "unmatched" for t in session.turns[:3])  # the small talk
    assert any(t.kind == "followup" and t.question_id == "max-depth" for t in session.turns)
    assert session.self_assessment and "fundamentals" in session.self_assessment
    feedback = session.config["import"]["interviewer_feedback"]
    assert "cross-entropy" in feedback and "regularization" in feedback
    assert set(session.latest_grades()) == set(asked)
