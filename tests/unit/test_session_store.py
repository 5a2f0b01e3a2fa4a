"""Session store: id validation, atomic journaling, damaged sessions reported not hidden."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from voicecoach.errors import SessionError
from voicecoach.grading.models import Grade, GradeProvenance, KeyPointGrade
from voicecoach.session.models import Turn
from voicecoach.session.store import SessionStore, validate_session_id
from voicecoach.speech.transcript import Transcript, Word


@pytest.mark.parametrize(
    "bad", ["", "..", "../etc", "a/b", "/abs", "a\\b", "x..y", ".hidden", "a b", "é", "x" * 129]
)
def test_invalid_session_ids_are_rejected(bad: str, tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="invalid session id"):
        validate_session_id(bad)
    with pytest.raises(SessionError):
        SessionStore(tmp_path).create(bad or "..")


@pytest.mark.parametrize("good", ["20261124-210000", "my_session-1", "a.b"])
def test_valid_session_ids(good: str) -> None:
    assert validate_session_id(good) == good


def make_grade() -> Grade:
    return Grade(
        question_id="max-depth",
        score=62.5,
        level="partial",
        key_points=[KeyPointGrade(id="noise", status="missing")],
        provenance=GradeProvenance(
            rubric_id="max-depth", rubric_version=1, rubric_hash="x", grader="offline"
        ),
    )


def test_round_trip_and_listing(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("s1", questions=["max-depth"])
    transcript = Transcript(text="it overfits", words=[Word(word="it", start=0.0, end=0.2)])
    session.turns.append(
        Turn(
            index=0,
            kind="question",
            question_id="max-depth",
            prompt="Q?",
            answer=transcript,
            grade=make_grade(),
        )
    )
    store.save(session)
    loaded = store.load("s1")
    assert loaded.turns[0].answer == transcript
    assert loaded.latest_grades()["max-depth"].score == 62.5
    assert store.audio_path("s1", 3, "answer").name == "003-answer.wav"
    [row] = store.list()
    assert (row.id, row.questions, row.score, row.error) == ("s1", ("max-depth",), 62.5, None)


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.create("s1")
    with pytest.raises(SessionError, match="already exists"):
        store.create("s1")


def test_damaged_session_is_listed_with_reason_and_others_still_load(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.create("good")
    store.create("broken")
    path = tmp_path / "broken" / "session.json"
    path.write_text(path.read_text()[:40])
    rows = {row.id: row for row in store.list()}
    assert rows["good"].error is None
    assert rows["broken"].error is not None and "damaged" in rows["broken"].error
    with pytest.raises(SessionError, match="damaged"):
        store.load("broken")
    with pytest.raises(SessionError, match="no session 'missing'"):
        store.load("missing")


WRITER = textwrap.dedent(
    """
    import sys, time
    from voicecoach.session.models import Turn
    from voicecoach.session.store import SessionStore
    store = SessionStore(sys.argv[1])
    session = store.create("crashy")
    for index in range(10_000):
        session.turns.append(Turn(index=index, kind="question", prompt="q" * 2000))
        store.save(session)
        if index == 2:
            print("ready", flush=True)
    """
)


def test_killed_writer_leaves_a_readable_session(tmp_path: Path) -> None:
    """SIGKILL in the middle of continuous journaling: session.json is always complete."""
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    session = SessionStore(tmp_path).load("crashy")
    assert len(session.turns) >= 3
    assert [t.index for t in session.turns] == list(range(len(session.turns)))
    json.loads((tmp_path / "crashy" / "session.json").read_text())
