"""``voicecoach practice`` end to end through the CLI, with the real bank and the real grader:
the issue's done-when scenario in text mode, the same with an unreachable LLM, with a real LLM
(llama.cpp + SmolLM2) in the loop, and with spoken WAV answers through the real speech-to-text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from voicecoach.agent.interviewer import SELF_ASSESSMENT_PROMPT
from voicecoach.llm.client import free_port
from voicecoach.session.store import SessionStore

pytestmark = pytest.mark.slow

VAGUE = "if the depth is too high the tree gets big and it will overfit"
GOOD = (
    "Because a deeper tree is more complex: it keeps splitting until each leaf holds just a few "
    "training samples, so it memorizes the noise in the training data instead of the real "
    "pattern, and that noise does not generalize to new data."
)
SELF = "I knew it overfits but I should have explained why straight away."


def practice(tmp_path: Path, *args: str, timeout: float = 240) -> tuple[list[dict[str, Any]], str]:
    """Run the CLI; return the JSON events from stdout and the human text from stderr."""
    env = {**os.environ, "VOICECOACH_RECORDINGS": str(tmp_path / "recordings")}
    done = subprocess.run(
        [sys.executable, "-m", "voicecoach.cli", "practice", *args, "--events", "-"],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return events, done.stderr


def script(tmp_path: Path, answers: list[Any]) -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    return path


def check_done_when(events: list[dict[str, Any]], tmp_path: Path, session_id: str) -> None:
    kinds = [e["type"] for e in events]
    followups = [e for e in events if e["type"] == "followup"]
    # one follow-up, about why a deeper tree fits noise; then it moves on
    assert len(followups) == 1, followups
    assert followups[0]["targets"] == "learns-noise"
    assert "deeper tree" in followups[0]["question"] and "?" in followups[0]["question"]
    grades = [e for e in events if e["type"] == "grade"]
    assert grades[0]["level"] != "strong" and "learns-noise" not in grades[0]["covered"]
    assert grades[1]["level"] == "strong" and "learns-noise" in grades[1]["covered"]
    # then self-assessment, then feedback, then saved
    after = kinds[kinds.index("followup"):]
    assert after.index("summary") < after.index("session_finished")
    assert events[-1]["type"] == "session_finished" and events[-1]["status"] == "finished"
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)
    session = SessionStore(tmp_path / "recordings").load(session_id)
    assert [t.kind for t in session.turns] == ["question", "followup", "self_assessment"]
    assert session.turns[2].prompt == SELF_ASSESSMENT_PROMPT
    assert session.self_assessment == SELF
    assert session.turns[1].grade is not None and session.turns[1].grade.level == "strong"
    assert session.summary is not None and session.summary.strengths
    assert session.status == "finished"


def test_done_when_text_mode(tmp_path: Path) -> None:
    answers = script(tmp_path, [VAGUE, GOOD, SELF])
    events, human = practice(tmp_path, "--text", "--questions", "max-depth", "--answers",
                             str(answers), "--session-id", "done-when")
    check_done_when(events, tmp_path, "done-when")
    assert not any(e["type"] == "fallback" for e in events)
    assert "Feedback" in human and "What went well" in human


def test_done_when_with_an_unreachable_llm_falls_back(tmp_path: Path) -> None:
    answers = script(tmp_path, [VAGUE, GOOD, SELF])
    closed = f"http://127.0.0.1:{free_port()}/v1"
    events, _ = practice(tmp_path, "--text", "--questions", "max-depth", "--answers",
                         str(answers), "--session-id", "no-llm", "--llm", "openai:x",
                         "--llm-base-url", closed)
    fallbacks = [e for e in events if e["type"] == "fallback"]
    assert fallbacks and all("Connection" in e["reason"] for e in fallbacks)
    check_done_when(events, tmp_path, "no-llm")
    session = SessionStore(tmp_path / "recordings").load("no-llm")
    assert session.config["llm"] == "openai:x" and session.config["prompt"].startswith("followup@")


def test_real_llm_in_the_loop(tmp_path: Path, smollm2_gguf: Path) -> None:
    """llamacpp:PATH starts its own llama.cpp server; each probe is the LLM's (validated) or the
    rubric's with a logged reason — the session completes either way."""
    pytest.importorskip("llama_cpp")
    # "a deep tree will overfit" leaves two required points uncovered (what depth controls, why
    # it learns noise), so there are two probes to make whichever grader reads it
    answers = script(tmp_path, ["a deep tree will overfit", "it has to do with the leaves somehow",
                                "the tree gets worse in general", SELF])
    events, _ = practice(tmp_path, "--text", "--questions", "max-depth", "--answers",
                         str(answers), "--session-id", "smol", "--llm", f"llamacpp:{smollm2_gguf}",
                         "--llm-timeout", "20")
    followups = [e for e in events if e["type"] == "followup"]
    fallbacks = [e for e in events if e["type"] == "fallback"]
    assert len(followups) == 2
    for followup in followups:
        assert followup["policy"] in ("rubric", f"llm:llamacpp:{smollm2_gguf}")
    assert len(fallbacks) == sum(f["policy"] == "rubric" for f in followups)
    assert all(f["reason"].startswith(("invalid: ", "error: ", "timeout")) for f in fallbacks)
    assert events[-1]["type"] == "session_finished" and events[-1]["status"] == "finished"


@pytest.fixture(scope="module")
def spoken_answers(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The scenario's answers spoken by espeak-ng into WAV files."""
    folder = tmp_path_factory.mktemp("spoken")
    paths = []
    for index, text in enumerate((VAGUE, GOOD, SELF)):
        path = folder / f"answer-{index}.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
        paths.append(path)
    return paths


def test_done_when_with_spoken_answers_through_real_stt(
    tmp_path: Path, spoken_answers: list[Path]
) -> None:
    answers = script(tmp_path, [str(path) for path in spoken_answers])
    events, _ = practice(tmp_path, "--text", "--questions", "max-depth", "--answers",
                         str(answers), "--session-id", "spoken", "--stt-model", "tiny.en")
    transcripts = [e["text"].lower() for e in events if e["type"] == "transcript"]
    assert "overfit" in transcripts[0].replace(" ", "") and "noise" in transcripts[1]
    followups = [e for e in events if e["type"] == "followup"]
    assert followups and followups[0]["targets"] == "learns-noise"
    session = SessionStore(tmp_path / "recordings").load("spoken")
    assert session.turns[0].answer is not None and session.turns[0].answer.words
    assert session.turns[0].answer_audio == "turns/000-answer.wav"
    assert (tmp_path / "recordings" / "spoken" / "turns" / "000-answer.wav").is_file()
    assert session.turns[0].timings["stt_seconds"] > 0
    assert session.summary is not None and events[-1]["status"] == "finished"
