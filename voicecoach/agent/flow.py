"""Which question comes next, and how it is introduced: from what the candidate said.

The reference interviewer built each question on the last answer ("an example would be k-means"
→ "How does k-means clustering work?"). Each rubric's ``mentions`` patterns (rubric pattern
syntax, matched per sentence by ``grading.patterns``) say when a candidate has brought its topic
up. So the next question is the earliest planned one (in the bank's ``order``, which follows the
reference flow) that the last answer mentioned, or else simply the next one planned; and its
``bridge`` ("You mentioned k-means.") is said only when the candidate really mentioned it in an
answer. A question's own wording is neutral and never claims anything the candidate said.
"""

from __future__ import annotations

from collections.abc import Sequence

from voicecoach.grading.normalize import split_sentences
from voicecoach.grading.patterns import first_match
from voicecoach.rubric.loader import LoadedRubric


def mentioned(loaded: LoadedRubric, answers: Sequence[str]) -> str | None:
    """The sentence of ``answers`` that mentions this question's topic, or None."""
    patterns = loaded.rubric.mentions
    if not patterns:
        return None
    for answer in answers:
        found = first_match(patterns, split_sentences(answer))
        if found is not None:
            return found.sentence.text
    return None


def pick_next(remaining: Sequence[LoadedRubric], last_answers: Sequence[str]) -> int:
    """Index into ``remaining`` of the question to ask next: the earliest (by ``order``) that
    the last answers mentioned, else the first one."""
    hits = [i for i, loaded in enumerate(remaining) if mentioned(loaded, last_answers)]
    if not hits:
        return 0
    return min(hits, key=lambda i: (remaining[i].rubric.order, i))


def opening(loaded: LoadedRubric, answers: Sequence[str]) -> str:
    """The question as said: with its bridge only when an answer mentioned the topic."""
    question = loaded.rubric.question
    if loaded.rubric.bridge and mentioned(loaded, answers):
        return f"{loaded.rubric.bridge} {question}"
    return question
