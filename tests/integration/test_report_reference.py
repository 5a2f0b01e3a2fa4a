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
    """He named the binary cross-entropy formula, regularisation as the cure for overfitting,
    MSE for regression vs cross-entropy for classification, and framing the recommendation as
    supervised learning: at most three gaps, each with the correct idea, name all four."""
    gaps = payload["gaps"]
    assert 1 <= len(gaps) <= 3, gaps
    said = " ".join(f"{g['text']} {g['idea']}" for g in gaps).lower()
    assert "log p" in said and "log(1 - p)" in said  # the BCE formula
    overfitting = next(g for g in gaps if g["topic"] == "overfitting")
    assert "regularis" in overfitting["idea"].lower() or "penalty" in overfitting["idea"]
    assert "mean squared error suits regression" in said and "cross-entropy suits" in said
    design = next(g for g in gaps if g["topic"] == "ml-design")
    assert "supervised learning" in design["idea"] and "recommendation" in design["questions"][0]
    assert all(g["idea"] for g in gaps)


def test_strengths_are_few_by_topic_and_exclude_the_gaps(payload: dict[str, Any]) -> None:
    strengths = payload["strengths"]
    assert 1 <= len(strengths) <= 3, strengths
    assert "trees" in {s["topic"] for s in strengths}  # "that's the right answer: the noise"
    assert not any(s["text"].lower().startswith(("missed", "practise")) for s in strengths)


def test_verdict_self_review_and_practice(payload: dict[str, Any]) -> None:
    assert "borderline for an ML engineer role" in payload["verdict"]
    assert payload["self_review"]  # the candidate's "I need to work on my fundamentals"
    advice = payload["advice"]
    assert 1 <= len(advice) <= 2
    assert {a["topic"] for a in advice} <= {g["topic"] for g in payload["gaps"]}
    assert not any("Practise explaining, out loud" in a["text"] for a in advice)


def test_spoken_summary_fits_45_seconds(payload: dict[str, Any], tmp_path: Path) -> None:
    """Said by espeak-ng at 150 words a minute, the spoken closing lasts at most 45 s."""
    import subprocess
    import wave

    from voicecoach.feedback.text import SPOKEN_SECONDS, spoken_feedback
    from voicecoach.session.models import SessionSummary

    summary = SessionSummary.model_validate(
        {k: payload[k] for k in ("verdict", "self_review", "strengths", "gaps", "advice")})
    said = spoken_feedback(summary)
    assert "borderline" in said and "To practise" in said
    wav = tmp_path / "closing.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), said], check=True)
    with wave.open(str(wav)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    assert 10 < seconds <= SPOKEN_SECONDS, (seconds, said)


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
