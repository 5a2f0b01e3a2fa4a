"""The offline grader: rubric patterns, sentence by sentence, with the guards applied.

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

from voicecoach.grading import guards
from voicecoach.grading.guards import GuardSettings
from voicecoach.grading.models import KeyPointGrade, MisconceptionHit
from voicecoach.grading.normalize import Sentence, merge_fragments, split_sentences
from voicecoach.grading.patterns import NEGATION_WINDOW, compile_pattern, first_match
from voicecoach.rubric.schema import KeyPoint, PointStatus, Rubric

CONFIDENCE = {"covered": 0.9, "partial": 0.6, "missing": 0.8}
DEMOTED_CONFIDENCE = 0.5  # missing, though a list-like sentence named the point


@dataclass
class Analysis:
    """Everything the offline grader found in one answer, before scoring."""

    sentences: list[Sentence]
    key_points: list[KeyPointGrade]
    misconceptions: list[MisconceptionHit]
    ignored: dict[str, list[str]] = field(default_factory=dict)  # reason -> sentences
    instruction: bool = False


def _point_hits(point: KeyPoint, sentences: Sequence[Sentence]) -> set[int]:
    """Indexes of sentences where the point's accept or partial patterns match."""
    hits = set()
    for index, sentence in enumerate(sentences):
        if any(compile_pattern(p).match(sentence) for p in (*point.accept, *point.partial)):
            hits.add(index)
    return hits


def analyse(
    rubric: Rubric, text: str, settings: GuardSettings = GuardSettings()
) -> Analysis:
    """Grade every key point and find misconceptions in ``text`` (no scoring here)."""
    sentences = merge_fragments(text, split_sentences(text))
    ignored: dict[str, list[str]] = {}
    echo = {i for i, s in enumerate(sentences) if guards.is_echo(s, rubric.question, settings)}
    instruction = {i for i, s in enumerate(sentences) if guards.is_instruction(s)}
    excluded = echo | instruction
    eligible = [s for i, s in enumerate(sentences) if i not in excluded]

    hits = {p.id: _point_hits(p, eligible) for p in rubric.key_points}
    points_per_sentence = [sum(i in h for h in hits.values()) for i in range(len(eligible))]
    weak_sentences = {
        i
        for i, s in enumerate(eligible)
        if guards.is_list_like(s, settings)
        or guards.is_crammed(s, points_per_sentence[i], settings)
    }
    full = [s for i, s in enumerate(eligible) if i not in weak_sentences]
    listy = [s for i, s in enumerate(eligible) if i in weak_sentences]

    grades = [_grade_point(point, full, listy) for point in rubric.key_points]
    misconceptions = []
    for item in rubric.misconceptions:
        found = first_match(item.patterns, [s for i, s in enumerate(sentences) if i not in echo])
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
    point: KeyPoint, full: Sequence[Sentence], listy: Sequence[Sentence]
) -> KeyPointGrade:
    def grade(
        status: PointStatus, evidence: str, confidence: float, note: str = ""
    ) -> KeyPointGrade:
        return KeyPointGrade(
            id=point.id, status=status, evidence=evidence,
            confidence=confidence, weight=point.weight, required=point.required, note=note,
        )

    accepted = first_match(point.accept, full)
    if accepted is not None:
        return grade("covered", accepted.sentence.text, CONFIDENCE["covered"])
    partial = first_match(point.partial, full)
    if partial is not None:
        return grade("partial", partial.sentence.text, CONFIDENCE["partial"])
    listed = first_match((*point.accept, *point.partial), listy)
    if listed is not None:
        return grade(
            "missing", "", DEMOTED_CONFIDENCE,
            f"only named in a list of terms, not explained: {listed.sentence.text!r}",
        )
    return grade("missing", "", CONFIDENCE["missing"])


def settings_record(settings: GuardSettings) -> dict[str, object]:
    """The offline grader's settings as recorded in every grade's provenance."""
    return {
        "method": "patterns",
        "negation_window": NEGATION_WINDOW,
        **{name: getattr(settings, name) for name in settings.__dataclass_fields__},
    }
