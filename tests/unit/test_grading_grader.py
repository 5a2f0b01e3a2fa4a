"""The offline grader on a hand-made rubric: statuses, evidence, score, caps, follow-up."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from voicecoach.errors import ConfigError
from voicecoach.grading import grade_answer as _grade_answer
from voicecoach.grading.guards import GuardSettings
from voicecoach.grading.llm_judge import LlmJudgeSettings
from voicecoach.grading.models import Grade, GradeProvenance, GraderSettings
from voicecoach.grading.offline import PatternGrader, PatternSettings
from voicecoach.grading.registry import default_settings, grader_class
from voicecoach.grading.score import aggregate
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.speech.transcript import Transcript

# these tests pin the pattern grader's mechanics on a toy rubric (the judge has its own tests)
grade_answer = functools.partial(_grade_answer, grader="patterns")


def test_covered_points_quote_the_original_sentence(toy_rubric: LoadedRubric) -> None:
    text = "Well, um, a Deep tree will over-fit!  And it memorises the noise."
    grade = grade_answer(toy_rubric, text)
    status = {p.id: (p.status, p.evidence) for p in grade.key_points}
    assert status["overfits"] == ("covered", "Well, um, a Deep tree will over-fit!")
    assert status["noise"] == ("covered", "And it memorises the noise.")
    assert status["tune"] == ("missing", "")
    assert all(p.evidence in text for p in grade.key_points)
    # weights 2 + 1 covered of 4
    assert grade.score == 75.0
    assert grade.level == "strong"
    assert grade.followup is None  # the only gap has no probe (optional point)


def test_partial_credit_and_missing_required_cap(toy_rubric: LoadedRubric) -> None:
    grade = grade_answer(toy_rubric, "It fits the data too closely. It learns the noise.")
    assert [p.status for p in grade.key_points] == ["partial", "covered", "missing"]
    assert grade.score == 50.0  # (0.5*2 + 1) / 4
    assert grade.level == "partial"
    assert grade.followup is not None and grade.followup.targets == "overfits"


def test_required_point_missing_caps_a_high_score(toy_rubric: LoadedRubric) -> None:
    text = "A deep tree overfits. You validate the depth."
    grade = grade_answer(toy_rubric, text)
    assert grade.score == 75.0
    assert grade.level == "partial"
    assert any("required point not covered (noise)" in c for c in grade.caps_applied)


def test_major_misconception_caps_score_and_level(toy_rubric: LoadedRubric) -> None:
    text = "Deeper is always better. A deep tree overfits and memorises noise."
    grade = grade_answer(toy_rubric, text)
    assert [m.id for m in grade.misconceptions] == ["always-better"]
    assert grade.misconceptions[0].evidence == "Deeper is always better."
    assert grade.score == 30.0
    assert grade.level == "weak"


def test_followup_refers_to_the_candidates_words_verbatim(toy_rubric: LoadedRubric) -> None:
    text = "So if the tree is deep it will overfit, right?"
    grade = grade_answer(toy_rubric, text)
    assert grade.followup is not None
    assert grade.followup.targets == "noise"
    question = grade.followup.question
    assert question.startswith('You said "')
    quote = question.split('"')[1]
    assert quote in text
    assert question.endswith("what does a deep tree learn that it should not?")
    assert "memoris" not in question and "noise" not in question  # never the answer


def test_provenance_and_determinism(toy_rubric: LoadedRubric) -> None:
    answer = Transcript(text="A deep tree overfits.", engine="faster-whisper", model="tiny.en")
    first, second = grade_answer(toy_rubric, answer), grade_answer(toy_rubric, answer)
    p = first.provenance
    assert (p.rubric_id, p.rubric_version, p.rubric_hash) == ("toy", 3, toy_rubric.sha256)
    assert (p.grader, p.grader_version) == ("patterns", PatternGrader.version)
    assert p.settings == PatternSettings()  # typed: the grader's own frozen settings
    assert (p.stt_engine, p.stt_model) == ("faster-whisper", "tiny.en")
    strip = {"provenance": {"graded_at"}}
    assert first.model_dump(exclude=strip) == second.model_dump(exclude=strip)


def test_weight_change_regrades_by_arithmetic_only(toy_rubric: LoadedRubric) -> None:
    grade = grade_answer(toy_rubric, "It fits the data too closely. It learns the noise.")
    heavier = [
        p.model_copy(update={"weight": 10.0}) if p.id == "noise" else p for p in grade.key_points
    ]
    score, level, _ = aggregate(toy_rubric.rubric, heavier, grade.misconceptions)
    assert score == round(100 * (0.5 * 2 + 10) / 13, 1)
    assert level == "partial"  # the required 'overfits' is only partial


def test_empty_and_whitespace_answers(toy_rubric: LoadedRubric) -> None:
    for text in ("", "   ", "um... uh."):
        grade = grade_answer(toy_rubric, text)
        assert grade.score == 0.0 and grade.level == "weak"
        assert grade.followup is not None and grade.followup.targets == "overfits"


def test_grader_settings_are_recorded_typed_and_round_trip(toy_rubric: LoadedRubric) -> None:
    from voicecoach.grading.guards import GuardSettings

    custom = PatternSettings(
        guards=dataclasses.replace(GuardSettings(), salad_min_content_run=9), negation_window=2
    )
    grade = grade_answer(toy_rubric, "A deep tree overfits.", custom)
    assert grade.provenance.settings == custom
    again = Grade.model_validate_json(grade.model_dump_json())
    assert isinstance(again.provenance.settings, PatternSettings)
    assert again.provenance.settings == custom


def test_the_negation_window_is_a_real_setting(toy_rubric: LoadedRubric) -> None:
    text = "A deep tree does not really always learn the noise."  # "not" 4 words before
    status = [
        {p.id: p.status for p in grade_answer(toy_rubric, text, settings).key_points}["noise"]
        for settings in (PatternSettings(negation_window=4), PatternSettings(negation_window=2))
    ]
    assert status == ["missing", "covered"]


def test_graders_come_from_the_registry_and_offline_is_an_alias() -> None:
    assert grader_class("offline") is grader_class("patterns") is PatternGrader
    assert default_settings("offline") == PatternSettings()
    with pytest.raises(ConfigError, match=r"unknown grader 'nope'.*patterns.*llm"):
        grader_class("nope")


def test_grades_recorded_before_the_registry_read_typed() -> None:
    """A session saved with grader "offline" and a flat grader_settings dict regrades against
    an unchanged "patterns" grade with no provenance difference."""
    legacy = GradeProvenance.model_validate({
        "rubric_id": "toy", "rubric_version": 3, "rubric_hash": "x", "grader": "offline",
        "grader_settings": {"version": 1, "method": "patterns", "negation_window": 4,
                            **dataclasses.asdict(GuardSettings())},
    })
    assert (legacy.grader, legacy.grader_version) == ("patterns", 1)
    assert legacy.settings == PatternSettings()
    llm = GradeProvenance.model_validate({
        "rubric_id": "toy", "rubric_version": 3, "rubric_hash": "x", "grader": "llm:gpt-x",
        "grader_settings": {"version": 1, "negation_window": 4, "llm_model": "gpt-x",
                            "prompt": "judge@abc"},
    })
    assert llm.grader == "llm" and isinstance(llm.settings, LlmJudgeSettings)
    assert (llm.settings.model, llm.settings.prompt) == ("gpt-x", "judge@abc")
    unknown = GradeProvenance(rubric_id="toy", rubric_version=1, rubric_hash="x", grader="fake")
    assert unknown.settings == GraderSettings()


def test_grading_work_is_bounded_per_sentence_on_a_long_run_on(bank) -> None:
    """A 40,000-character run-on with no punctuation is cut into sentences of bounded size, so
    grading work grows linearly with length (it took 64 s when the whole run was one sentence
    quoted prefix by prefix; the time itself is measured in benchmarks/bench_grading.py)."""
    from benchmarks.bench_grading import run_on
    from voicecoach.grading.normalize import MAX_SENTENCE_WORDS, split_sentences

    loaded = bank["max-depth"]
    text = run_on(40_000)
    sentences = split_sentences(text)
    assert max(len(s.text.split()) for s in sentences) <= MAX_SENTENCE_WORDS
    assert len(sentences) >= len(text.split()) // MAX_SENTENCE_WORDS
    grade = grade_answer(loaded, text, grader="patterns")
    assert grade.followup is not None  # the quoting path ran


class _FakeJudgeModel:
    """Stands in for the ONNX cross-encoder: every pair reads as covered."""

    sha256 = "f" * 64

    def predict(self, pairs):  # type: ignore[no-untyped-def]
        import numpy as np

        probs = np.zeros((len(pairs), 4), dtype=np.float32)
        probs[:, 2] = 0.9  # LABELS: missing, partial, covered, contradicted
        return probs


def test_the_judge_is_a_registry_grader_and_records_its_model(
    toy_rubric: LoadedRubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicecoach.grading import judge_grader

    monkeypatch.setattr(judge_grader, "shared_model", lambda: _FakeJudgeModel())
    grade = grade_answer(toy_rubric, "A deep tree memorises the noise.", grader="judge")
    p = grade.provenance
    assert (p.grader, p.grader_version) == ("judge", judge_grader.JudgeGrader.version)
    assert isinstance(p.settings, judge_grader.JudgeGraderSettings)
    assert p.settings.model_sha256 == _FakeJudgeModel.sha256
    assert {k.status for k in grade.key_points} == {"covered"}
    again = GradeProvenance.model_validate_json(p.model_dump_json())
    assert again.settings == p.settings
    legacy = GradeProvenance.model_validate({  # as main recorded it before the registry
        "rubric_id": "toy", "rubric_version": 3, "rubric_hash": "x", "grader": "judge",
        "grader_settings": {"version": 1, "method": "judge", "judge_sha256": "abc"},
    })
    assert isinstance(legacy.settings, judge_grader.JudgeGraderSettings)
    assert legacy.settings.model_sha256 == "abc"


def test_a_contradicted_required_point_makes_the_answer_weak(toy_rubric: LoadedRubric) -> None:
    # every point covered scores strong; stating the opposite of a required one is a wrong core
    # claim (the level guide), whatever the rest scores
    grade = grade_answer(toy_rubric, "")
    covered = [p.model_copy(update={"status": "covered"}) for p in grade.key_points]
    assert aggregate(toy_rubric.rubric, covered, [])[1] == "strong"
    required = next(p.id for p in covered if p.required)
    wrong = [p.model_copy(update={"status": "contradicted"}) if p.id == required else p
             for p in covered]
    score, level, caps = aggregate(toy_rubric.rubric, wrong, [])
    assert level == "weak" and score >= 50  # the other points still score
    assert any("contradicted" in cap for cap in caps)
