"""Is the candidate done? The Smart Turn model's judgment of the audio, checked against the words.

It is asked again as a pause grows, with a falling bar (:data:`THRESHOLDS`), so a finished
answer the model doubts still ends within about 1-3 s. The model hears intonation but not
meaning: a synthesized "So the gradient is" falls in pitch like a finished sentence and scores
0.77 (on Piper's speech it calls most mid-sentence pauses complete). The words hear meaning
but not intonation: "it overfits" may or may not be followed by "so we prune". Together: the
turn is over when the model says so *and* the words so far do not say "keep waiting"
(:func:`~voicecoach.audio.phrases.keeps_going`). A spoken "I'm done" ends it whatever the model
thinks.

Some pauses neither can hear. Whisper drops a trailing "so" or "and" at the end of a clip ("The
model memorizes the noise, so" is heard "The model memorizes the noise."), and a sentence can
stop where it could have ended ("Regularization adds a penalty | on the weights"). A quick end is
therefore kept for turns that look finished on every count: the model agrees, the words are
not unfinished, and the answer is not just a few words (:class:`TurnRule`). Anything less waits
``unsure_wait`` s (4 s: longer than the 2.5-3 s a candidate may pause mid-sentence), which is still
quicker than the old fixed silence once the reply is counted.

The words are the last few seconds transcribed at the pause (``words``: recent audio -> its
transcript; faster-whisper's short-window decode takes ~0.25 s), once per pause.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from voicecoach.audio.phrases import (
    is_done_phrase,
    keeps_going,
    last_sentence_words,
    only_trailing_off,
)

Words = Callable[[np.ndarray], str]  # recent 16 kHz audio -> its transcript
Reason = Literal["model", "words", "phrase", "short", "resumed", "no_model"]
# The bar the model must clear, by how long the silence is so far (EndpointConfig.turn_checks
# asks at 0.3, 1, 1.5 and 3 s). At a short pause, Smart Turn's own 0.5; as the silence grows,
# less and less certainty is needed, and after 3 s none: a silence that long ends the turn unless
# the words say "keep waiting" (pipecat's analyzer likewise ends a turn after 3 s whatever the
# model says). On Piper's speech the model scores most finished answers above 0.8 at 0.4 s, but
# some at 0.01 all the way (a sentence ending in "...at the very end."): without the falling bar
# those waited for the 8 s ceiling.
THRESHOLDS = ((0.0, 0.5), (1.0, 0.3), (1.5, 0.15), (3.0, 0.0))
# Words whose only sign of "not done" is a trailing "..." hold a pause open this long, not up to
# the ceiling: in the turn benchmark tiny.en wrote "..." after a finished answer, which then
# waited 17 s (ceiling, nudge, ceiling again). 4 s, not 3: "When the classes are imbalanced,
# accuracy | 3 s | can look good..." was heard "...accuracy..." and ended at 3.0 s, as the
# candidate went on (held-out turn benchmark through PulseAudio, 2026-12-03).
WEAK_HOLD = 4.0


@dataclass(frozen=True)
class TurnRule:
    """When a turn that looks finished may end quickly, and how long it waits otherwise."""

    # a finished answer is rarely this short; a thinking pause often follows a few words
    sure_speech: float = 3.5  # seconds of voice in the answer so far
    sure_words: int = 5  # words in its last sentence (one that begins inside the heard tail)
    # silence after which a turn that looks finished ends anyway. WEAK_HOLD, not 3 s: the
    # held-out "When the classes are imbalanced, accuracy | 3 s | ..." was heard "...accurate."
    # after 2.5 s of voice and ended at 3.0 s as the candidate went on (2026-12-03). A finished
    # answer this short is rare; it waits 1 s longer.
    unsure_wait: float = WEAK_HOLD


def threshold_at(silence: float) -> float:
    """The model's bar after ``silence`` seconds without voice."""
    return [bar for since, bar in THRESHOLDS if silence >= since - 1e-6][-1]


class TurnModel(Protocol):
    def probability(self, audio: np.ndarray) -> float: ...


@dataclass(frozen=True)
class Verdict:
    """One decision at a pause: over or not, and why."""

    done: bool
    reason: Reason  # model: the model decided; words: they vetoed; phrase: "I'm done"
    probability: float | None = None
    words: str | None = None
    silence: float = 0.0  # seconds into the pause


class TurnJudge:
    """Decides at pauses; one per answer (it remembers the words heard in the current pause)."""

    def __init__(self, model: TurnModel | None, words: Words | None = None, *,
                 rule: TurnRule | None = None) -> None:
        self.model, self.words = model, words
        self.rule = rule or TurnRule()
        self.verdicts: list[Verdict] = []  # for the benchmark and the session log
        self._heard: str | None = None  # the words of the current pause, once transcribed
        self._early: Future[str] | None = None  # ...or being transcribed (prefetch)
        self._judged = False  # the current pause was already judged over (see resume)

    def new_speech(self) -> None:
        """Speech resumed: what was heard in the last pause is stale."""
        self._heard, self._early, self._judged = None, None, False

    def resume(self) -> None:
        """Listening goes on after this answer was judged over because the candidate spoke
        again: the rest of that pause, still queued before their new words, must not end the
        answer a second time (it did, once per 0.3 s of queued silence)."""
        self._judged = True

    def prefetch(self, tail: np.ndarray) -> None:
        """Start transcribing the pause's words on a thread, before the first check asks for
        them (the decode is most of a decision's time: ~0.25 s of the ~0.35 s)."""
        if self.words is None or self._heard is not None or self._early is not None:
            return
        words, early = self.words, Future[str]()

        def run() -> None:
            try:
                early.set_result(words(tail))
            except BaseException as error:  # re-raised where the words are needed
                early.set_exception(error)

        self._early = early
        threading.Thread(target=run, name="turn-words", daemon=True).start()

    def at_pause(self, audio: np.ndarray, tail: np.ndarray, silence: float = 0.0,
                 speech: float | None = None) -> Verdict:
        """The decision after ``silence`` s of a pause; ``audio`` is the answer so far, ``tail``
        its last seconds, ``speech`` how many seconds of it were voice. The words can only hold
        the turn open, never end it early (except "I'm done")."""
        verdict = self._decide(audio, tail, silence, speech)
        self.verdicts.append(verdict)
        return verdict

    def _decide(self, audio: np.ndarray, tail: np.ndarray, silence: float,
                speech: float | None) -> Verdict:
        if self._judged:
            return Verdict(False, "resumed", silence=silence)
        if self.model is None:
            return Verdict(done=False, reason="no_model")
        probability = self.model.probability(audio)
        if probability < threshold_at(silence):
            return Verdict(False, "model", probability, silence=silence)
        if self.words is None:
            return Verdict(True, "model", probability, silence=silence)
        heard = self._transcribe(tail)
        if is_done_phrase(heard):
            return Verdict(True, "phrase", probability, heard, silence)
        if keeps_going(heard) and not (silence >= WEAK_HOLD - 1e-6 and only_trailing_off(heard)):
            return Verdict(False, "words", probability, heard, silence)
        if silence < self.rule.unsure_wait - 1e-6 and self._brief(heard, speech):
            return Verdict(False, "short", probability, heard, silence)
        return Verdict(True, "model", probability, heard, silence)

    def _brief(self, heard: str, speech: float | None) -> bool:
        """Too little said for a quick end: a few words may be the first half of a sentence."""
        words = last_sentence_words(heard)
        return (speech is not None and speech < self.rule.sure_speech) or (
            words is not None and words < self.rule.sure_words)

    def said_done(self, tail: np.ndarray) -> bool:
        """A spoken "I'm done" at the end of the recent audio."""
        return self.words is not None and is_done_phrase(self._transcribe(tail))

    def _transcribe(self, tail: np.ndarray) -> str:
        if self._heard is None:
            assert self.words is not None
            early, self._early = self._early, None
            self._heard = early.result() if early is not None else self.words(tail)
        return self._heard
