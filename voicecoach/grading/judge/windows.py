"""Answer windows: the spans of an answer that the judge reads, one key point at a time.

Evidence for a key point is a clause or a sentence, sometimes two sentences that carry one idea
("A deep tree keeps splitting. So every leaf ends up with one sample."). The judge therefore
scores every sentence and every pair of neighbouring sentences, and a short answer also whole (a
textbook answer may spread one point over three sentences). Sentences come from the one
sentence splitter (``grading.normalize``); a sentence longer than ``max_words`` (an unpunctuated
spoken run-on) is cut into overlapping chunks of words, so the number of windows, and the cost,
grows linearly with the answer's length and no window exceeds what the model reads.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from voicecoach.grading.normalize import split_sentences

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Window:
    """A verbatim span of the answer: ``text == answer[start:end]``."""

    text: str
    start: int
    end: int
    pieces: int  # how many sentences (or run-on chunks) it joins: 1, 2, or all of a short answer


@dataclass(frozen=True)
class WindowSettings:
    """How answers are cut into windows (recorded in every grade's provenance)."""

    max_words: int = 40  # a longer sentence is chunked
    overlap_words: int = 10  # chunks of a run-on overlap by this many words
    pair_max_words: int = 60  # neighbouring pieces are joined while the pair stays this short
    # an answer of 3+ pieces and at most this many words is also read whole: the model was
    # trained on whole answers up to 90 words. Chosen on dev (evaluate.py's judge, one run):
    # exact 0.712 -> 0.726 (150 words: 0.722; test 0.683 -> 0.692, voices 0.750 -> 0.760)
    whole_max_words: int = 90


def chunks(text: str, start: int, end: int, settings: WindowSettings) -> list[tuple[int, int]]:
    """``text[start:end]`` as itself, or, when longer than ``max_words``, as overlapping word
    chunks (offsets into ``text``): the unit the model reads and the list guard judges."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    if len(words) <= settings.max_words:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    step = max(1, settings.max_words - settings.overlap_words)
    for first in range(0, len(words), step):
        chunk = words[first:first + settings.max_words]
        out.append((chunk[0][0], chunk[-1][1]))
        if first + settings.max_words >= len(words):
            break
    return out


def _pieces(text: str, settings: WindowSettings) -> list[tuple[int, int]]:
    """Sentences as ``(start, end)`` offsets, long ones cut into overlapping word chunks."""
    return [piece for sentence in split_sentences(text)
            for piece in chunks(text, sentence.start, sentence.end, settings)]


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def answer_windows(text: str, settings: WindowSettings = WindowSettings()) -> list[Window]:
    """Every piece of ``text`` and every short pair of neighbouring pieces, in answer order; then
    the whole of a short answer of three or more pieces."""
    pieces = _pieces(text, settings)
    windows = [Window(text[s:e], s, e, 1) for s, e in pieces]
    for (s1, _), (s2, e2) in itertools.pairwise(pieces):
        if s2 > s1 and _words(text[s1:e2]) <= settings.pair_max_words:
            windows.append(Window(text[s1:e2], s1, e2, 2))
    if len(pieces) > 2 and _words(text) <= settings.whole_max_words:
        start, end = pieces[0][0], pieces[-1][1]
        windows.append(Window(text[start:end], start, end, len(pieces)))
    return windows
