"""Grading against real components: the LLM judge on llama.cpp serving SmolLM2-135M (its poor
output exercises quote validation and the fallback to the pattern grade), and a spoken answer
through real TTS (espeak-ng) and STT into ``voicecoach grade --audio`` with delivery metrics."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.grading import grade_answer
from voicecoach.grading.llm_judge import LlmJudgeSettings
from voicecoach.grading.offline import PatternSettings
from voicecoach.grading.registry import GraderContext
from voicecoach.llm.client import LlamaServer, LlmSpec, create_chat_model
from voicecoach.rubric.loader import RubricBank

pytestmark = pytest.mark.slow
ANSWER = ("If the tree is very deep, each leaf ends up with one or two training samples, so it "
          "memorizes the noise and overfits. Limiting the depth keeps the model simpler.")


def test_real_llm_judge_is_validated_or_falls_back(
    llama_server: LlamaServer, bank: RubricBank
) -> None:
    model = create_chat_model(LlmSpec("openai", "local"), base_url=llama_server.base_url,
                              timeout=60, max_tokens=256, temperature=0.0)
    loaded = bank["max-depth"]
    grade = grade_answer(loaded, ANSWER, LlmJudgeSettings(timeout=60), GraderContext(llm=model))
    offline = grade_answer(loaded, ANSWER, PatternSettings())  # what the llm grader wraps
    assert grade.provenance.grader in ("patterns", "llm")
    for point in grade.key_points:  # whatever the model said, evidence is verbatim
        assert point.evidence == "" or point.evidence in ANSWER
    if grade.provenance.grader == "patterns":
        assert grade.key_points == offline.key_points
        assert grade.notes  # says why the LLM was not used
    else:
        assert isinstance(grade.provenance.settings, LlmJudgeSettings)
        assert grade.provenance.settings.model == "local"
        assert grade.provenance.settings.prompt.startswith("judge@")


def test_unreachable_llm_falls_back_to_the_pattern_grade(
    refusing_url: str, bank: RubricBank
) -> None:
    model = create_chat_model(LlmSpec("openai", "local"), base_url=refusing_url, timeout=2)
    grade = grade_answer(
        bank["max-depth"], ANSWER, LlmJudgeSettings(timeout=3), GraderContext(llm=model)
    )
    assert grade.provenance.grader == "patterns"
    assert any("llm judge failed" in n for n in grade.notes)


def test_spoken_answer_is_graded_with_delivery(tmp_path: Path) -> None:
    if importlib.util.find_spec("voicecoach.speech.stt") is None:
        pytest.skip("voicecoach.speech.stt is not available yet")
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), ANSWER], check=True)
    result = CliRunner().invoke(app, ["grade", "-q", "max-depth", "--audio", str(wav), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["delivery"]["words"] > 15
    assert 100 < data["delivery"]["words_per_minute"] < 220
    assert data["level"] in ("partial", "strong")
    statuses = {p["id"]: p["status"] for p in data["key_points"]}
    assert statuses["learns-noise"] == "covered"
    assert data["provenance"]["stt_engine"]
