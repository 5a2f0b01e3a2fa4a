"""Is the candidate done? The Smart Turn model's judgment of the audio, checked against the words.

It is asked again as a pause grows, with a falling bar (:data:`THRESHOLDS`), so a finished
answer the model doubts still ends within about 1-3 s. The model hears intonation but not
meaning: a synthesized "So the gradient is" falls in pitch like a finished sentence and scores
0.77 (on Piper's speech it calls most mid-sentence pauses complete). The words hear meaning
but not intonation: "it overfits" may or may not be followed by "so we prune". Together: the
turn is over when the model says so *and* the words so far do not say "keep waiting"
(:func:`~voicecoach.audio.phrases.keeps_going`). A spoken "I'm done" ends it whatever the model
thinks.

Where the words come from: transcribing at every pause would add a Whisper call (0.4-1.3 s on
2 busy cores) to every decision, so in an interview the capture decides on the model alone and
the interviewer checks the words on the transcript it makes anyway (it is ready about when the
capture ends: the incremental transcription runs at the same pause). If they say "keep going",
the interviewer listens on to the same answer with a judge that already knows what was heard
(``heard``), so the same pause is not ended twice. ``words`` (recent audio -> its transcript) is
for the spoken "I'm done" at the longer phrase pause, and for callers without a transcript
(then the words are checked right at the pause).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from voicecoach.audio.phrases import is_done_phrase, keeps_going, only_trailing_off

Words = Callable[[np.ndarray], str]  # recent 16 kHz audio -> its transcript
Reason = Literal["model", "words", "phrase", "no_model"]
# The bar the model must clear, by how long the silence is so far (EndpointConfig.turn_checks
# asks at 0.4, 1, 1.5 and 3 s). At a short pause, Smart Turn's own 0.5; as the silence grows,
# less and less certainty is needed, and after 3 s none: a silence that long ends the turn unless
# the words say "keep waiting" (pipecat's analyzer likewise ends a turn after 3 s whatever the
# model says). On Piper's speech the model scores most finished answers above 0.8 at 0.4 s, but
# some at 0.01 all the way (a sentence ending in "...at the very end."): without the falling bar
# those waited for the 8 s ceiling.
THRESHOLDS = ((0.0, 0.5), (1.0, 0.3), (1.5, 0.15), (3.0, 0.0))
# Words whose only sign of "not done" is a trailing "..." hold a pause open this long, not up to
# the ceiling: in the turn benchmark tiny.en wrote "..." after a finished answer, which then
# waited 17 s (ceiling, nudge, ceiling again).
WEAK_HOLD = 3.0


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
                 words_at_pause: bool = True, heard: str | None = None) -> None:
        self.model, self.words = model, words
        self.words_at_pause = words_at_pause  # False: the caller checks the words afterwards
        self.verdicts: list[Verdict] = []  # for the benchmark and the session log
        self._heard = heard  # transcript for the current pause (given: already heard)

    def new_speech(self) -> None:
        """Speech resumed: what was heard in the last pause is stale."""
        self._heard = None

    def at_pause(self, audio: np.ndarray, tail: np.ndarray, silence: float = 0.0) -> Verdict:
        """The decision after ``silence`` s of a pause; ``audio`` is the answer so far, ``tail``
        its last seconds. The words can only hold the turn open, never end it early."""
        if self.model is None:
            verdict = Verdict(done=False, reason="no_model")
        else:
            probability = self.model.probability(audio)
            if probability < threshold_at(silence):
                verdict = Verdict(False, "model", probability, silence=silence)
            elif self._heard is None and (self.words is None or not self.words_at_pause):
                verdict = Verdict(True, "model", probability, silence=silence)
            else:
                heard = self._transcribe(tail)
                if is_done_phrase(heard):
                    verdict = Verdict(True, "phrase", probability, heard, silence)
                elif keeps_going(heard) and not (silence >= WEAK_HOLD - 1e-6
                                                 and only_trailing_off(heard)):
                    verdict = Verdict(False, "words", probability, heard, silence)
                else:
                    verdict = Verdict(True, "model", probability, heard, silence)
        self.verdicts.append(verdict)
        return verdict

    def said_done(self, tail: np.ndarray) -> bool:
        """A spoken "I'm done" at the end of the recent audio."""
        return self.words is not None and is_done_phrase(self._transcribe(tail))

    def _transcribe(self, tail: np.ndarray) -> str:
        if self._heard is None:
            assert self.words is not None
            self._heard = self.words(tail)
        return self._heard
