"""The follow-up proposal: the authored probe for the most important gap, in the candidate's words.

Like the reference interviewer ("You said it would overfit — why?"), the probe may open with a
short quote of what the candidate said about the point (a partial mention) or, failing that, about
their strongest point. The quote is cut from the original transcript, so it is verbatim by
construction; the probe itself is the rubric author's, which never contains the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voicecoach.grading.models import FollowUp, KeyPointGrade, MisconceptionHit
from voicecoach.grading.normalize import Sentence, sentence_tokens, split_sentences
from voicecoach.grading.patterns import first_match
from voicecoach.rubric.schema import KeyPoint, Rubric

MAX_QUOTE_WORDS = 10
MIN_QUOTE_WORDS = 3
_WORD = re.compile(r"\S+")
_EDGE_PUNCT = ".,;:!?\"'()"


def _priority(point: KeyPoint, grade: KeyPointGrade) -> tuple[float, bool, bool]:
    return (point.weight, point.required, grade.status == "missing")


def quote_of(sentence: Sentence, first: int, last: int) -> str | None:
    """Original words covering tokens ``first..last`` (exclusive), widened to a short phrase."""
    words = list(_WORD.finditer(sentence.text))
    counts = [len(sentence_tokens(sentence.text[: w.end()])[0]) for w in words]
    start = next((k for k, c in enumerate(counts) if c > first), None)
    end = next((k for k, c in enumerate(counts) if c >= last), None)
    if start is None or end is None:
        return None
    while end - start + 1 < MIN_QUOTE_WORDS and (start > 0 or end < len(words) - 1):
        if start > 0:
            start -= 1
        if end - start + 1 < MIN_QUOTE_WORDS and end < len(words) - 1:
            end += 1
    if end - start + 1 > MAX_QUOTE_WORDS:
        return None
    quote = sentence.text[words[start].start() : words[end].end()].strip(_EDGE_PUNCT + " ")
    return quote or None


def _quote_for(point: KeyPoint, grade: KeyPointGrade) -> str | None:
    if not grade.evidence:
        return None
    sentences = split_sentences(grade.evidence)
    patterns = point.accept if grade.status == "covered" else [*point.partial, *point.accept]
    found = first_match(patterns, sentences)
    if found is None:
        return None
    return quote_of(found.sentence, found.first, found.last)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def propose_followup(
    rubric: Rubric,
    grades: Sequence[KeyPointGrade],
    misconceptions: Sequence[MisconceptionHit] = (),
    answer_text: str = "",
) -> FollowUp | None:
    """The probe for the highest-weight missing or partial point with a probe; None if complete."""
    by_id = {g.id: g for g in grades}
    gaps = [
        (p, by_id[p.id])
        for p in rubric.key_points
        if p.id in by_id and by_id[p.id].status != "covered" and p.probe
    ]
    if not gaps:
        return None
    point, grade = max(gaps, key=lambda pg: _priority(*pg))
    assert point.probe is not None
    wrong = {m.evidence for m in misconceptions}
    quote = None
    if grade.status == "partial" and grade.evidence not in wrong:
        quote = _quote_for(point, grade)
    if quote is None:
        covered = [
            (p, by_id[p.id])
            for p in rubric.key_points
            if p.id in by_id and by_id[p.id].status == "covered"
            and by_id[p.id].evidence not in wrong
        ]
        if covered:
            quote = _quote_for(*max(covered, key=lambda pg: pg[0].weight))
    if quote and (not answer_text or quote in answer_text):
        wording = f'You said "{quote}" — {_lower_first(point.probe)}'
        return FollowUp(question=wording, targets=point.id)
    return FollowUp(question=point.probe, targets=point.id)
