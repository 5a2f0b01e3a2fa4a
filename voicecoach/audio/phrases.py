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
    r"that'?s (?:basically |about |pretty much |really )?(?:it|all|my answer)",
    r"that (?:basically |about |pretty much )?covers it",
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


# A turn that ends in one of these is not over, whatever the intonation: the candidate is
# thinking aloud ("let me think", "hmm"), or stopped on a word that needs more after it (a
# trailing "so…" or "and…", or a formula half said: "the loss is the sum over i of…").
FILLER_PATTERNS = (r"h+m+", r"u+m+", r"u+h+", r"e+r+m*", r"a+h+")  # as Whisper writes them
THINKING_PATTERNS = (
    r"let me (?:think|see|recall|remember)(?: about (?:it|this|that))?"
    r"(?: for a (?:second|sec|moment|minute|bit))?",
    r"let'?s see", r"give me (?:a|one) (?:second|sec|moment|minute)",
    r"(?:one|a|just a) (?:second|sec|moment)", r"how (?:do|should|can) i (?:put|say) (?:it|this)",
    r"what'?s the word", r"i need to think", r"thinking", r"wait",
    *FILLER_PATTERNS, r"okay", r"ok", r"so", r"well", r"right",
)
_CONTINUING = """
    and or but so because since then which that where when while if whether like although though
    unless until than as also plus minus times equals over divided multiplied into versus vs
    the a an of to in on at by for with from between its their his her our your this these those
    is are was were be been being has have had can could will would should may might must not
    very more less most least each every either neither such how what why who whose
"""
CONTINUING_WORDS = frozenset(_CONTINUING.split())
_WORDS = re.compile(r"[a-z0-9']+")
_FILLER = re.compile(rf"^(?:{'|'.join(FILLER_PATTERNS)})$")  # "...the kernel trick, um"
_THINKING = re.compile(rf"^(?:(?:{'|'.join(THINKING_PATTERNS)})\b[\s,.]*)+$")
TRAILING_OFF = ("…", "...")  # Whisper's mark for speech that trails off (see only_trailing_off)
OPEN_SYMBOLS = ("=", "+", "-", "*", "/", "^", "(", *TRAILING_OFF, ",", ":")
# A short sentence that opens with one of these and has no comma is only its first half ("When
# the classes are imbalanced." -- Whisper writes a full stop where the speaker merely paused).
# Short: "if the tree is too deep it overfits" often comes without Whisper's comma.
SUBORDINATE_WORDS = 6
SUBORDINATORS = frozenset({"when", "if", "because", "although", "though", "while", "since",
                           "unless", "whereas", "once"})


_SENTENCE_END = re.compile(r"[.!?]+\s+")  # Whisper's punctuation in a short transcript


def last_sentence(text: str) -> tuple[str, bool]:
    """The last sentence of a short transcript, and whether it starts inside it (False: it began
    before the transcribed audio did).

    A last piece that only restarts a sentence said twice before it is the quick decode
    looping, cut off by its length limit ("Let me think about that for a second. Let me think
    about that for a second. Let me"): the sentence it restarts is what was said. Read as "Let
    me", that thinking pause was ended at 3 s, through PulseAudio. (Once is not a loop: "The
    tree overfits. The..." may be a candidate going on.)
    """
    parts = _SENTENCE_END.split(text.strip().rstrip(".!? "))
    if len(parts) > 2 and _WORDS.findall(parts[-2].lower()) == _WORDS.findall(parts[-3].lower()) \
            and _restarts(parts[-1], parts[-2]):
        parts.pop()
    return parts[-1], len(parts) > 1


def _restarts(piece: str, sentence: str) -> bool:
    """``piece`` is the beginning of ``sentence`` again, and shorter."""
    words, before = _WORDS.findall(piece.lower()), _WORDS.findall(sentence.lower())
    return 0 < len(words) < len(before) and before[:len(words)] == words


def last_sentence_words(text: str) -> int | None:
    """Words in the last sentence, when it starts inside ``text`` (else None: it is at least
    as long as the transcribed audio)."""
    sentence, whole = last_sentence(text)
    return len(_WORDS.findall(sentence.lower())) if whole else None


def keeps_going(text: str) -> bool:
    """The words so far say the candidate is not finished (thinking, or stopped mid-phrase)."""
    cleaned = text.replace("’", "'").strip().lower()
    if not cleaned:
        return False
    if cleaned.endswith(OPEN_SYMBOLS) or cleaned.count("(") > cleaned.count(")"):
        return True
    final = last_sentence(cleaned)[0]
    if _THINKING.match(final.strip(" ,")):
        return True
    words = _WORDS.findall(final)
    if 1 < len(words) <= SUBORDINATE_WORDS and words[0] in SUBORDINATORS and \
            "," not in final:
        return True
    return bool(words) and (words[-1].strip("'") in CONTINUING_WORDS
                            or bool(_FILLER.match(words[-1])))


LOOPED = 3  # the same words this many times in a row at the end: Whisper looping


def looping(text: str) -> bool:
    """The text ends in one to four words repeated :data:`LOOPED` times running ("uh, uh, uh",
    "I think, I think, I think"): the quick decode looping on a tail, not speech."""
    tokens = _WORDS.findall(text.replace("’", "'").lower())
    for size in range(1, 5):
        if len(tokens) >= size * LOOPED:
            unit = tokens[-size:]
            if all(tokens[-size * (k + 1):len(tokens) - size * k] == unit
                   for k in range(LOOPED)):
                return True
    return False


def only_trailing_off(text: str) -> bool:
    """The words keep going only because of a weak sign, which holds a pause open for a few
    seconds, not up to the thinking ceiling:

    * Whisper ended them with "...". tiny.en writes it where speech trails off ("the bias of
      the model is..."), but also after some finished sentences ("...like logistic
      regression...");
    * they end in the same words over and over ("…without building it, uh, uh, uh, uh", "I
      think, I think, I think"): the quick decode looping on a tail (seen through PulseAudio
      after two finished answers, which then waited for the ceiling and its second 8 s).
    """
    cleaned = text.replace("’", "'").strip()
    if looping(cleaned) and keeps_going(cleaned):
        return True
    stripped = cleaned
    while stripped.endswith(TRAILING_OFF):
        stripped = stripped.removesuffix("...").removesuffix("…").rstrip()
    return stripped != cleaned and keeps_going(cleaned) and not keeps_going(stripped)
