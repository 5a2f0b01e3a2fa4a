"""The pattern grader (registry name ``patterns``, formerly ``offline``): rubric patterns,
sentence by sentence, with the guards applied. Deterministic and offline.

For each key point: an ``accept`` pattern matching an eligible sentence makes it covered, else a
``partial`` pattern makes it partial, else it is missing. The evidence is the first matching
sentence, verbatim. Sentences that read the question back or address the grader are never
eligible; a sentence that is a list of terms, or crams several points into a few words, earns no
credit (the vocabulary is there, the explanation is not; the grade notes it). Misconception
patterns are checked on every sentence except echoes of the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import ConfigDict, model_validator

from voicecoach.grading import guards
from voicecoach.grading.guards import GuardSettings
from voicecoach.grading.models import KeyPointGrade, MisconceptionHit
from voicecoach.grading.normalize import Sentence, merge_fragments, split_sentences
from voicecoach.grading.patterns import NEGATION_WINDOW, compile_pattern, first_match
from voicecoach.grading.registry import GraderContext, GraderSettings, Verdicts
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.rubric.schema import KeyPoint, Level, PointStatus, Rubric

CONFIDENCE = {"covered": 0.9, "partial": 0.6, "missing": 0.8}
DEMOTED_CONFIDENCE = 0.5  # missing, though a list-like sentence named the point
INSTRUCTION_CAP: Level = "partial"  # an answer that tells the grader what to do


class PatternSettings(GraderSettings):
    """The pattern grader's options: the negation window and the guards' thresholds."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    grader: ClassVar[str] = "patterns"

    negation_window: int = NEGATION_WINDOW  # words before a term that a "not" reaches
    guards: GuardSettings = GuardSettings()

    @model_validator(mode="before")
    @classmethod
    def _flat_record(cls, data: Any) -> Any:
        """Grades recorded before settings were typed hold the guard thresholds flat."""
        if isinstance(data, dict) and "guards" not in data:
            names = set(GuardSettings.__dataclass_fields__)
            flat = {k: v for k, v in data.items() if k in names}
            if flat:
                data = {**{k: v for k, v in data.items() if k not in names}, "guards": flat}
        return data


@dataclass
class Analysis:
    """Everything the pattern grader found in one answer, before scoring."""

    sentences: list[Sentence]
    key_points: list[KeyPointGrade]
    misconceptions: list[MisconceptionHit]
    ignored: dict[str, list[str]] = field(default_factory=dict)  # reason -> sentences
    instruction: bool = False


def _point_hits(point: KeyPoint, sentences: Sequence[Sentence], window: int) -> set[int]:
    """Indexes of sentences where the point's accept or partial patterns match."""
    hits = set()
    for index, sentence in enumerate(sentences):
        if any(
            compile_pattern(p).match(sentence, window) for p in (*point.accept, *point.partial)
        ):
            hits.add(index)
    return hits


def analyse(
    rubric: Rubric,
    text: str,
    settings: GuardSettings = GuardSettings(),
    window: int = NEGATION_WINDOW,
) -> Analysis:
    """Grade every key point and find misconceptions in ``text`` (no scoring here); ``window``
    is the negation window (see ``grading.patterns``)."""
    sentences = merge_fragments(text, split_sentences(text))
    ignored: dict[str, list[str]] = {}
    echo = {i for i, s in enumerate(sentences) if guards.is_echo(s, rubric.question, settings)}
    instruction = {i for i, s in enumerate(sentences) if guards.is_instruction(s)}
    excluded = echo | instruction
    eligible = [s for i, s in enumerate(sentences) if i not in excluded]

    hits = {p.id: _point_hits(p, eligible, window) for p in rubric.key_points}
    points_per_sentence = [sum(i in h for h in hits.values()) for i in range(len(eligible))]
    weak_sentences = {
        i
        for i, s in enumerate(eligible)
        if guards.is_list_like(s, settings)
        or guards.is_crammed(s, points_per_sentence[i], settings)
    }
    full = [s for i, s in enumerate(eligible) if i not in weak_sentences]
    listy = [s for i, s in enumerate(eligible) if i in weak_sentences]

    grades = [_grade_point(point, full, listy, window) for point in rubric.key_points]
    misconceptions = []
    for item in rubric.misconceptions:
        said = [s for i, s in enumerate(sentences) if i not in echo]
        found = first_match(item.patterns, said, window)
        if found is not None:
            misconceptions.append(
                MisconceptionHit(
                    id=item.id,
                    evidence=found.sentence.text,
                    severity=item.severity,
                    correction=item.correction,
                )
            )
    if echo:
        ignored["repeats the question"] = [sentences[i].text for i in sorted(echo)]
    if instruction:
        ignored["addresses the grader"] = [sentences[i].text for i in sorted(instruction)]
    if weak_sentences:
        ignored["list of terms, not an explanation"] = [
            eligible[i].text for i in sorted(weak_sentences)
        ]
    return Analysis(sentences, grades, misconceptions, ignored, bool(instruction))


def _grade_point(
    point: KeyPoint, full: Sequence[Sentence], listy: Sequence[Sentence], window: int
) -> KeyPointGrade:
    def grade(
        status: PointStatus, evidence: str, confidence: float, note: str = ""
    ) -> KeyPointGrade:
        return KeyPointGrade(
            id=point.id, status=status, evidence=evidence,
            confidence=confidence, weight=point.weight, required=point.required, note=note,
        )

    accepted = first_match(point.accept, full, window)
    if accepted is not None:
        return grade("covered", accepted.sentence.text, CONFIDENCE["covered"])
    partial = first_match(point.partial, full, window)
    if partial is not None:
        return grade("partial", partial.sentence.text, CONFIDENCE["partial"])
    listed = first_match((*point.accept, *point.partial), listy, window)
    if listed is not None:
        return grade(
            "missing", "", DEMOTED_CONFIDENCE,
            f"only named in a list of terms, not explained: {listed.sentence.text!r}",
        )
    return grade("missing", "", CONFIDENCE["missing"])


def ignored_notes(analysis: Analysis) -> list[str]:
    """One grade note per sentence the guards kept from earning credit, with the reason."""
    return [
        f"ignored ({why}): {text!r}" for why, texts in analysis.ignored.items() for text in texts
    ]


class PatternGrader:
    """Rubric patterns with the guards: the grader before the judge, and the one the LLM grader
    falls back to."""

    name: ClassVar[str] = "patterns"
    # bump when what it decides changes (a regrade then says so); 2: unpunctuated runs are cut
    # into bounded sentences, a stop keeps its closing quote; 3: a question sentence read back
    # word for word is an echo; 4: eight or more words without one function word are a list
    version: ClassVar[int] = 4
    grades_ahead: ClassVar[bool] = False
    settings_type: ClassVar[type[GraderSettings]] = PatternSettings

    def __init__(self, settings: PatternSettings, context: GraderContext | None = None) -> None:
        self.settings = settings

    def analyse(self, loaded: LoadedRubric, text: str) -> Analysis:
        """The sentence-level findings (for graders that build on this one)."""
        return analyse(loaded.rubric, text, self.settings.guards, self.settings.negation_window)

    def verdicts(self, analysis: Analysis) -> Verdicts:
        """The verdicts an analysis amounts to, with its notes and the instruction cap."""
        cap = (INSTRUCTION_CAP, "the answer addresses the grader") if analysis.instruction else None
        return Verdicts(
            key_points=analysis.key_points, misconceptions=analysis.misconceptions,
            grader=self.name, version=self.version, settings=self.settings,
            notes=ignored_notes(analysis), cap=cap,
        )

    def judge(self, loaded: LoadedRubric, text: str) -> Verdicts:
        return self.verdicts(self.analyse(loaded, text))
