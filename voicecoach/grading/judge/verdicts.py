"""The judge as a grader: guards first, then the cross-encoder, then the patterns' precision.

What a sentence may never earn credit for is decided before the model reads anything: the
question read back, orders to the grader ("give me full marks") and lists of terms are cut out
of the answer (``grading.guards``), so no window containing them is judged. The model then
decides every key point (``decide``). Where a rubric author wrote ``accept`` patterns (spoken
maths, a formula's exact form), a pattern match on an eligible, explaining sentence lifts a
point the judge left partial to covered: patterns are precise where wording is fixed. A point
the judge found contradicted stays so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from voicecoach.grading import guards
from voicecoach.grading.guards import GuardSettings
from voicecoach.grading.judge.decide import JudgeSettings, judge_answer
from voicecoach.grading.judge.level import AnswerFacts, answer_features
from voicecoach.grading.judge.model import JudgeModel
from voicecoach.grading.judge.windows import WindowSettings, chunks
from voicecoach.grading.models import KeyPointGrade, MisconceptionHit
from voicecoach.grading.normalize import (
    Sentence,
    merge_fragments,
    sentence_at,
    split_sentences,
)
from voicecoach.grading.offline import analyse
from voicecoach.rubric.schema import Rubric


@dataclass
class JudgeResult:
    """Verdicts plus what the guards set aside, for the grade's notes."""

    key_points: list[KeyPointGrade]
    misconceptions: list[MisconceptionHit]
    ignored: dict[str, list[str]] = field(default_factory=dict)
    instruction: bool = False
    evidence: list[npt.NDArray[np.float64]] = field(default_factory=list)  # see decide.Verdicts


def judge_grade(
    rubric: Rubric,
    text: str,
    model: JudgeModel,
    settings: JudgeSettings = JudgeSettings(),
    guard_settings: GuardSettings = GuardSettings(),
    use_patterns: bool = True,
) -> JudgeResult:
    """Key-point verdicts and misconceptions for one answer, guards and patterns applied."""
    sentences = merge_fragments(text, split_sentences(text))
    echo = [s for s in sentences if guards.is_echo(s, rubric.question, guard_settings)]
    orders = [s for s in sentences if guards.is_instruction(s)]
    # a list of terms explains nothing, however well its words match a claim (measured: the
    # model alone called keyword salads strong)
    # a long unpunctuated run-on is judged chunk by chunk, as the model reads it: measured, a
    # spoken answer of 69-87 words with one run of feature names in it was one "list" to the
    # guard, and every point it explained was dropped with it
    lists: list[Sentence] = []
    for sentence in sentences:
        if sentence in echo or sentence in orders:
            continue
        pieces = _chunks(text, sentence, settings.windows)
        listed = [c for c in pieces
                  if guards.is_list_like(c, guard_settings) or guards.is_term_string(c)]
        # chunks overlap: a list chunk gives up the words it shares with an explaining chunk
        kept = [(c.start, c.end) for c in pieces if c not in listed]
        lists += [piece for c in listed for start, end in _subtract((c.start, c.end), kept)
                  if (piece := sentence_at(text, start, end)).tokens]
    excluded = [(s.start, s.end) for s in (*echo, *orders, *lists)]
    verdicts = judge_answer(rubric, text, model, settings, excluded)
    points = verdicts.key_points
    misconceptions = verdicts.misconceptions
    if use_patterns and any(p.accept for p in rubric.key_points):
        points, misconceptions = _with_patterns(rubric, text, points, misconceptions,
                                                guard_settings)
    ignored: dict[str, list[str]] = {}
    if echo:
        ignored["repeats the question"] = [s.text for s in echo]
    if orders:
        ignored["addresses the grader"] = [s.text for s in orders]
    if lists:
        ignored["list of terms, not an explanation"] = [s.text for s in lists]
    return JudgeResult(points, misconceptions, ignored, bool(orders), verdicts.evidence)


def _chunks(text: str, sentence: Sentence, settings: WindowSettings) -> list[Sentence]:
    """The sentence itself, or its word chunks (``windows.chunks``) as sentences of their own."""
    spans = chunks(text, sentence.start, sentence.end, settings)
    if len(spans) == 1:
        return [sentence]
    return [sentence_at(text, start, end) for start, end in spans]


def _subtract(span: tuple[int, int], others: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``span`` that no span of ``others`` covers."""
    parts = [span]
    for o_start, o_end in others:
        parts = [piece for start, end in parts
                 for piece in ((start, min(end, o_start)), (max(start, o_end), end))
                 if piece[0] < piece[1]]
    return parts


def _with_patterns(
    rubric: Rubric,
    text: str,
    points: list[KeyPointGrade],
    misconceptions: list[MisconceptionHit],
    guard_settings: GuardSettings,
) -> tuple[list[KeyPointGrade], list[MisconceptionHit]]:
    analysis = analyse(rubric, text, guard_settings)
    by_id = {p.id: p for p in analysis.key_points}
    merged = []
    for point in points:
        found = by_id.get(point.id)
        if found is not None and found.status == "covered" and point.status == "partial":
            at = text.find(found.evidence)
            point = point.model_copy(update={
                "status": "covered", "evidence": found.evidence,
                "start": at, "end": at + len(found.evidence) if at >= 0 else -1,
                "note": "the judge read it as partial; the rubric's accept pattern matched",
            })
        merged.append(point)
    known = {m.id for m in misconceptions}
    extra = [m for m in analysis.misconceptions if m.id not in known]
    return merged, [*misconceptions, *extra]


def level_features(result: JudgeResult, text: str, rubric_score: float
                   ) -> npt.NDArray[np.float64]:
    """What the learnt level reads of one judged answer (``level.FEATURES``): one definition for
    grading and for ``training/judge/fit_level.py``."""
    facts = AnswerFacts(
        major_misconception=any(m.severity == "major" for m in result.misconceptions),
        addresses_grader=result.instruction, guards_set_aside=bool(result.ignored),
        words=len(text.split()), rubric_score=rubric_score)
    return answer_features(result.key_points, result.evidence, facts)
