"""The spoken "I'm done": a phrase_check for :func:`voicecoach.audio.capture.record_answer`.

Matching is on the *end* of a short transcript of the last few seconds, so "I'm done with the
forward pass, now the backward pass…" does not end an answer, but "…and that's it. I'm done."
does. Whisper writes the phrase in several ways; the patterns below cover those seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

DONE_PATTERNS = (
    r"i'?\s?a?m done",
    r"i am done",
    r"i'?m finished",
    r"that'?s (?:it|all|my answer)",
    r"(?:end|done) (?:of|with) (?:my )?answer",
)
_DONE_AT_END = re.compile(rf"(?:{'|'.join(DONE_PATTERNS)})\W*$", re.IGNORECASE)


def is_done_phrase(text: str) -> bool:
    """The transcript ends with a way of saying "I'm done"."""
    cleaned = re.sub(r"[^\w' ]+", " ", text.replace("’", "'")).strip()
    return bool(_DONE_AT_END.search(cleaned))


def done_phrase_checker(transcribe: Callable[[np.ndarray], str]) -> Callable[[np.ndarray], bool]:
    """A phrase_check: transcribe the recent audio (16 kHz float32), look for the phrase."""

    def check(recent: np.ndarray) -> bool:
        return is_done_phrase(transcribe(recent))

    return check
