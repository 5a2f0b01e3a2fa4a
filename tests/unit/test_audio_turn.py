"""End of turn: the words that say "keep waiting", the judge that combines them with the model,
and the real Smart Turn model on synthesized speech."""

from __future__ import annotations

import numpy as np
import pytest

from voicecoach.audio.phrases import keeps_going
from voicecoach.audio.turntaking import WEAK_HOLD, TurnJudge


@pytest.mark.parametrize("text", [
    "Hmm, let me think.", "Um,", "Okay, let me see.", "Give me a second.",
    "Bagging averages many trees, so", "and so...", "The regularization term is",
    "Precision is the true positives divided by", "The loss is the sum over all examples of",
    "x =", "f of (x", "It overfits, and", "Let me think about that for a second.",
    "When the classes are imbalanced.", "the validation set is used to pick-",
    "the mean squared error is the average of...", "The tree overfits. The",
    # the quick decode looping, cut by its length limit: the sentence it restarts is what counts
    "let me think about that for a second. Let me think about that for a second. Let me",
])
def test_words_that_mean_keep_waiting(text: str) -> None:
    assert keeps_going(text)


@pytest.mark.parametrize("text", [
    "A deeper tree overfits.", "That's basically it.", "Well, that is it.", "It learns the noise",
    "Let me think about it: bagging averages the trees.", "I'm done.", "", "The answer is 42.",
    "When the classes are imbalanced, accuracy misleads.", "If the tree is too deep it overfits.",
    "A deeper tree overfits. A deeper tree overfits. A deeper",  # a looped finished sentence
    "It overfits. It learns the noise.",  # a new sentence, not a restart
])
def test_words_of_a_finished_answer(text: str) -> None:
    assert not keeps_going(text)


class Model:
    def __init__(self, probability: float) -> None:
        self.value, self.calls = probability, 0

    def probability(self, audio: np.ndarray) -> float:
        self.calls += 1
        return self.value


SILENCE = np.zeros(16000, dtype=np.float32)


def test_the_model_decides_and_the_words_can_only_hold_back() -> None:
    heard: list[str] = []

    def words(text: str) -> TurnJudge:
        return TurnJudge(Model(0.9), lambda audio: heard.append(text) or text)

    assert words("It learns the noise.").at_pause(SILENCE, SILENCE).done
    held = words("Hmm, let me think.").at_pause(SILENCE, SILENCE)
    assert (held.done, held.reason, held.words) == (False, "words", "Hmm, let me think.")
    assert words("and that's it. I'm done.").at_pause(SILENCE, SILENCE).reason == "phrase"
    unsure = TurnJudge(Model(0.2), lambda audio: heard.append("never") or "x")
    assert unsure.at_pause(SILENCE, SILENCE).done is False
    assert "never" not in heard  # no transcription when the model already says "not yet"


def test_words_are_transcribed_once_per_pause_and_a_given_transcript_is_reused() -> None:
    calls: list[int] = []
    judge = TurnJudge(Model(0.9), lambda audio: calls.append(1) or "so")
    judge.at_pause(SILENCE, SILENCE)
    assert judge.said_done(SILENCE) is False
    assert len(calls) == 1
    judge.new_speech()
    judge.at_pause(SILENCE, SILENCE)
    assert len(calls) == 2
    # a trailing "so" holds the turn open at any length of silence
    held = TurnJudge(Model(0.9), lambda audio: "it overfits, so")
    assert held.at_pause(SILENCE, SILENCE).reason == "words"
    assert held.at_pause(SILENCE, SILENCE, silence=3.0).reason == "words"


def test_the_bar_falls_as_the_silence_grows_so_a_doubted_answer_still_ends() -> None:
    from voicecoach.audio.turntaking import threshold_at

    bars = [threshold_at(s) for s in (0.4, 0.9, 1.0, 1.5, 2.9, 3.0, 6.0)]
    assert bars == sorted(bars, reverse=True) and bars[0] == 0.5 and bars[-1] == 0.0
    doubted = TurnJudge(Model(0.2), None)
    decisions = [doubted.at_pause(SILENCE, SILENCE, s).done for s in (0.4, 1.0, 1.5, 3.0)]
    assert decisions == [False, False, True, True]
    assert [v.silence for v in doubted.verdicts] == [0.4, 1.0, 1.5, 3.0]
    # a model that is sure it is not over is still overruled by a 3 s silence...
    assert TurnJudge(Model(0.01), None).at_pause(SILENCE, SILENCE, 3.0).done
    # ...but never by the words
    thinking = TurnJudge(Model(0.99), lambda audio: "Hmm, let me think.")
    assert not thinking.at_pause(SILENCE, SILENCE, 3.0).done


def test_the_words_of_a_pause_are_prefetched_once_and_dropped_when_speech_resumes() -> None:
    import threading

    calls: list[str] = []
    release = threading.Event()

    def words(audio: np.ndarray) -> str:
        release.wait(2)
        calls.append("decode")
        return "It learns the noise in the training data, so it does worse on new data."

    judge = TurnJudge(Model(0.9), words)
    judge.prefetch(SILENCE)
    judge.prefetch(SILENCE)  # already under way: not started twice
    release.set()
    assert judge.at_pause(SILENCE, SILENCE, 0.3, speech=5.0).done
    assert calls == ["decode"]
    judge.new_speech()
    judge.prefetch(SILENCE)
    judge.new_speech()  # the candidate went on: that decode is not used
    judge.at_pause(SILENCE, SILENCE, 0.3, speech=6.0)
    assert len(calls) == 3


def test_a_resumed_answer_is_not_ended_again_before_the_candidate_speaks() -> None:
    judge = TurnJudge(Model(0.99), lambda audio: "It learns the noise, which hurts on new data.")
    judge.resume()
    assert judge.at_pause(SILENCE, SILENCE, 0.3, speech=6.0).reason == "resumed"
    judge.new_speech()
    assert judge.at_pause(SILENCE, SILENCE, 0.3, speech=7.0).done


def test_a_looping_filler_holds_a_pause_only_briefly() -> None:
    from voicecoach.audio.phrases import only_trailing_off

    looped = "computes inner products without building it, uh, uh, uh, uh, uh,"
    assert keeps_going(looped) and only_trailing_off(looped)
    assert not only_trailing_off("the kernel trick, um,")  # one "um": the candidate goes on
    assert only_trailing_off("in a stable range. I think, I think, I think, I think,")
    assert not only_trailing_off("Hmm, let me think.")
    assert not only_trailing_off("so the gradient is")
    judge = TurnJudge(Model(0.99), lambda audio: looped)
    assert not judge.at_pause(SILENCE, SILENCE, 1.5, speech=6.0).done
    assert not judge.at_pause(SILENCE, SILENCE, 3.0, speech=6.0).done  # a 3 s pause may go on
    assert judge.at_pause(SILENCE, SILENCE, WEAK_HOLD, speech=6.0).done


def test_a_turn_of_a_few_words_waits_longer_than_a_thinking_pause() -> None:
    """ "Regularization adds a penalty" may go on "...on the weights": whatever the model says,
    a few words end the turn only after ``unsure_wait``; a full answer ends at the first check."""
    from voicecoach.audio.turntaking import TurnRule

    rule = TurnRule()

    def judge(text: str) -> TurnJudge:
        return TurnJudge(Model(0.99), lambda audio: text)

    brief = judge("Regularization adds a penalty.")
    assert [brief.at_pause(SILENCE, SILENCE, s, speech=1.8).done
            for s in (0.4, 1.0, 1.5, 3.0)] == [False, False, False, False]
    assert brief.verdicts[-1].reason == "short"  # a 3 s pause after a few words is thinking
    assert brief.at_pause(SILENCE, SILENCE, rule.unsure_wait, speech=1.8).done
    full = "It learns the noise in the training data, so it does worse on new data."
    assert judge(full).at_pause(SILENCE, SILENCE, 0.4, speech=4.5).done
    # a long answer whose last sentence is a fragment of a few words still waits
    tail = "...so it does worse on new data. It adds a penalty."
    assert judge(tail).at_pause(SILENCE, SILENCE, 0.4, speech=9.0).reason == "short"
    # a closing phrase is an end, however short
    assert judge("I think that covers it.").at_pause(SILENCE, SILENCE, 0.4, speech=1.2).done


def test_the_last_sentence_counts_only_when_it_starts_inside_the_heard_tail() -> None:
    from voicecoach.audio.phrases import last_sentence_words

    assert last_sentence_words("so it does worse. It adds a penalty.") == 4
    assert last_sentence_words("moves each centroid to the mean of its points.") is None
    assert last_sentence_words("") is None
    assert last_sentence_words("it adds a penalty. It adds a penalty. It adds") == 4  # a loop


@pytest.fixture(scope="module")
def smart_turn() -> object:
    from voicecoach.audio.turn import SmartTurn, model_path

    assert model_path().stat().st_size > 8_000_000  # the 8.7 MB CPU model from pipecat-ai
    return SmartTurn()


def piper(text: str) -> np.ndarray:
    from voicecoach.speech.tts_piper import PiperTts

    clip = PiperTts(deterministic=True).synthesize(text).resampled(16000)
    return np.concatenate([clip.samples.astype(np.float32), np.zeros(4800, np.float32)])


def test_smart_turn_hears_a_finished_sentence_and_a_trailing_and(smart_turn: object) -> None:
    from voicecoach.audio.turn import SmartTurn

    assert isinstance(smart_turn, SmartTurn)
    finished = smart_turn.probability(piper("The learning rate controls the size of each step."))
    trailing = smart_turn.probability(
        piper("Bagging trains many trees on bootstrap samples and averages them, which lowers "
              "the variance, so"))
    assert finished > 0.8 and trailing < 0.2, (finished, trailing)


def test_features_match_whisper_log_mel_of_the_last_8_seconds() -> None:
    from faster_whisper.feature_extractor import FeatureExtractor

    from voicecoach.audio.turn import features

    extractor = FeatureExtractor(feature_size=80)
    short = features(np.ones(16000, np.float32) * 0.1, extractor)
    long = features(np.random.default_rng(0).standard_normal(20 * 16000).astype(np.float32),
                    extractor)
    assert short.shape == long.shape == (1, 80, 800)
    assert short.dtype == np.float32 and float(long.min()) > -2.0 and float(long.max()) <= 2.0
