"""Filler words: the one list, used wherever fillers matter.

Speech-to-text keeps them (the filler prompt) and drops a silent window that holds nothing else;
grading ignores them when matching an answer; delivery counts them. Hesitation sounds are fillers
wherever they occur. Filler phrases ("like", "you know", …) are fillers only where they carry no
meaning ("it's, like, memorising" but not "looks like a tree"), so each use decides from context.
"""

from __future__ import annotations

FILLER_SOUNDS: frozenset[str] = frozenset(
    {"um", "umm", "uh", "uhh", "uhm", "erm", "er", "ah", "hmm", "mm", "mmm"}
)
FILLER_PHRASES: tuple[str, ...] = ("like", "you know", "i mean", "kind of", "sort of")
