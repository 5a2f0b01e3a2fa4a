"""Delivery metrics from word timestamps: pace, filler words, long pauses, with coaching notes.

Bands (DESIGN.md): 130-170 words per minute is a comfortable interview pace; a pace sustained
below 110 or above 190 is flagged. Fewer than 5 fillers a minute has no measurable cost, around 12
a minute hurts. Pauses of 2 s or more are counted (thinking pauses are fine; many long ones read
as hesitation), and the longest is reported.

"like", "you know", "kind of" and "sort of" are fillers only where they carry no meaning: "it's,
like, memorising" is a filler, "looks like a tree" and "a kind of regulariser" are not.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from voicecoach.grading.models import Delivery
from voicecoach.speech.fillers import FILLER_SOUNDS
from voicecoach.speech.transcript import Transcript, Word

SLOW_WPM, FAST_WPM = 110.0, 190.0
COMFORTABLE = (130.0, 170.0)
FILLERS_OK, FILLERS_HURT = 5.0, 12.0
LONG_PAUSE = 2.0
MIN_SECONDS_FOR_PACE = 10.0  # below this a pace is not "sustained"

_LIKE_AFTER = frozenset(
    {"is", "was", "it's", "and", "so", "but", "um", "uh", "yeah", "just", "you're", "i'm",
     "like", "that's", "there's", "it", "they're", "we're", "then", "or", "because"}
)
_NOUN_BEFORE = frozenset({"a", "an", "the", "this", "that", "what", "some", "any", "one"})
_KNOW_OBJECTS = frozenset({"what", "that", "how", "which", "why", "when", "where", "if", "the"})


def _clean(word: Word) -> tuple[str, bool]:
    """The bare lower-case word, and whether a comma/full stop follows it."""
    raw = word.word.strip().lower()
    return re.sub(r"[^\w']", "", raw), bool(re.search(r"[,.;:!?]$", raw))


def count_fillers(words: list[Word]) -> Counter[str]:
    """Filler words and phrases in a timed transcript, by kind."""
    cleaned = [_clean(w) for w in words]
    found: Counter[str] = Counter()
    for i, (tok, pause_after) in enumerate(cleaned):
        prev, prev_pause = cleaned[i - 1] if i else ("", True)
        nxt = cleaned[i + 1][0] if i + 1 < len(cleaned) else ""
        if tok in FILLER_SOUNDS:
            found[tok] += 1
        elif tok == "like" and (prev_pause or pause_after or prev in _LIKE_AFTER):
            found["like"] += 1
        elif tok == "know" and prev == "you" and (pause_after or nxt not in _KNOW_OBJECTS):
            found["you know"] += 1
        elif tok == "mean" and prev == "i" and pause_after:
            found["i mean"] += 1
        elif tok == "of" and prev in ("kind", "sort"):
            before = cleaned[i - 2][0] if i >= 2 else ""
            if before not in _NOUN_BEFORE:
                found[f"{prev} of"] += 1
    return found


def delivery_metrics(transcript: Transcript) -> Delivery | None:
    """Pace, fillers and pauses of a timed answer; None when it has no word timings."""
    words = [w for w in transcript.words if w.word.strip()]
    if not words:
        return None
    span = max(words[-1].end - words[0].start, 0.0)
    minutes = span / 60.0
    gaps = [b.start - a.end for a, b in pairwise(words)]
    pauses = [g for g in gaps if g >= LONG_PAUSE]
    fillers = count_fillers(words)
    n_fillers = sum(fillers.values())
    wpm = len(words) / minutes if minutes > 0 else 0.0
    fpm = n_fillers / minutes if minutes > 0 else 0.0
    return Delivery(
        words=len(words),
        speaking_seconds=round(span, 2),
        words_per_minute=round(wpm, 1),
        fillers=n_fillers,
        fillers_per_minute=round(fpm, 1),
        filler_counts=dict(fillers.most_common()),
        long_pauses=len(pauses),
        longest_pause=round(max(gaps, default=0.0), 2),
        notes=_notes(span, wpm, fpm, fillers, pauses),
    )


def _notes(
    span: float, wpm: float, fpm: float, fillers: Counter[str], pauses: list[float]
) -> list[str]:
    notes: list[str] = []
    if span >= MIN_SECONDS_FOR_PACE:
        if wpm < SLOW_WPM:
            notes.append(f"slow pace ({wpm:.0f} words/min; {COMFORTABLE[0]:.0f}-"
                         f"{COMFORTABLE[1]:.0f} is comfortable): keep the explanation moving")
        elif wpm > FAST_WPM:
            notes.append(f"fast pace ({wpm:.0f} words/min; {COMFORTABLE[0]:.0f}-"
                         f"{COMFORTABLE[1]:.0f} is comfortable): slow down on the key idea")
    if fpm >= FILLERS_HURT:
        top = ", ".join(f'"{k}"' for k, _ in fillers.most_common(2))
        notes.append(f"frequent fillers ({fpm:.0f}/min, mostly {top}): pause silently instead")
    elif fpm >= FILLERS_OK:
        notes.append(f"some fillers ({fpm:.0f}/min): noticeable, not yet costly")
    if len(pauses) >= 3 or any(p >= 6.0 for p in pauses):
        notes.append(f"{len(pauses)} long pause(s), longest {max(pauses):.1f}s: "
                     "think out loud or structure the answer first")
    return notes
