"""The TTS speaker: sentences synthesized ahead are reused, the rest synthesized on demand, the
utterance saved and 'played'. A counting stand-in replaces the TTS engine here (the real engines
run in benchmarks/bench_interviewer.py and the audio tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voicecoach.agent.events import EventSink
from voicecoach.agent.voice import TtsSpeaker
from voicecoach.audio.clip import AudioClip
from voicecoach.errors import VoicecoachError


class CountingTts:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def synthesize(self, text: str) -> AudioClip:
        self.calls.append(text)
        return AudioClip(np.full(1600, 0.1, dtype=np.float32), 16000)


def test_prepared_sentences_are_reused_and_the_utterance_saved(tmp_path: Path) -> None:
    tts = CountingTts()
    played: list[AudioClip] = []
    speaker = TtsSpeaker(tts, played.append)  # type: ignore[arg-type]
    speaker.prepare("Why would a deeper tree learn patterns you don't want?")
    sink = EventSink(None, keep=True)
    speaker.say('You said "it overfits". Why would a deeper tree learn patterns you don\'t want?',
                sink, tmp_path / "q.wav")
    assert sorted(tts.calls) == sorted(
        ["Why would a deeper tree learn patterns you don't want?", 'You said "it overfits".']
    )
    assert len(played) == 1 and played[0].duration > 0.2  # two sentences and a gap
    assert AudioClip.load(tmp_path / "q.wav").duration == played[0].duration
    assert [e["type"] for e in sink.kept or []] == ["speaking_started", "speaking_finished"]
    speaker.close()


def test_an_answer_is_acknowledged_at_once_and_the_reply_waits_for_it() -> None:
    import threading
    import time

    from voicecoach.agent.voice import ACKNOWLEDGE_AFTER, ACKNOWLEDGMENTS

    tts = CountingTts()
    played: list[tuple[str, float]] = []
    release = threading.Event()

    def player(clip: AudioClip) -> None:
        played.append(("start", time.perf_counter()))
        release.wait(2)
        played.append(("end", time.perf_counter()))

    speaker = TtsSpeaker(tts, player)  # type: ignore[arg-type]
    speaker.prepare_acknowledgments()
    deadline = time.perf_counter() + 2
    while len(tts.calls) < len(ACKNOWLEDGMENTS) and time.perf_counter() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    sink = EventSink(None, keep=True)
    started = time.perf_counter()
    speaker.acknowledge(sink)
    assert time.perf_counter() - started < 0.2  # it does not block the interviewer
    threading.Timer(0.2, release.set).start()
    speaker.say("Next question.", sink)
    assert [kind for kind, _ in played] == ["start", "end", "start", "end"]  # never at once
    # not before the candidate has been quiet ACKNOWLEDGE_AFTER s (a pause between sentences)
    assert played[0][1] - started >= ACKNOWLEDGE_AFTER - 0.05
    assert sorted(tts.calls) == sorted([*ACKNOWLEDGMENTS, "Next question."])
    acks = [e for e in sink.kept or [] if e.get("acknowledgment")]
    assert len(acks) == 1 and acks[0]["chars"] == len(ACKNOWLEDGMENTS[0])
    # the next answer gets the next one; a candidate who is talking again gets none
    speaker.acknowledge(sink, quiet_for=lambda seconds: False, quiet=ACKNOWLEDGE_AFTER)
    speaker.say("Done.", sink)
    assert len([e for e in sink.kept or [] if e.get("acknowledgment")]) == 1
    speaker.close()


class FlakyTts(CountingTts):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def synthesize(self, text: str) -> AudioClip:
        if self.failures:
            self.failures -= 1
            raise VoicecoachError("espeak-ng produced no audio")
        return super().synthesize(text)


def test_a_tts_hiccup_is_retried_and_a_failure_printed_not_fatal(tmp_path: Path) -> None:
    played: list[AudioClip] = []
    printed: list[str] = []
    sink = EventSink(None, keep=True)
    TtsSpeaker(FlakyTts(1), played.append, echo=printed.append,  # type: ignore[arg-type]
               ahead=False).say("Hello there?", sink)
    assert len(played) == 1 and printed == ["Hello there?"]  # echoed and played
    TtsSpeaker(FlakyTts(5), played.append, echo=printed.append,  # type: ignore[arg-type]
               ahead=False).say("Still there?", sink)
    assert len(played) == 1 and printed == ["Hello there?", "Still there?"]  # printed only
    assert "error" in [e["type"] for e in sink.kept or []]


def test_a_voice_that_cannot_start_names_the_fix_and_the_ways_without_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import voicecoach.speech.tts as tts_module
    from voicecoach.agent.practice import make_speaker
    from voicecoach.config import load_settings
    from voicecoach.errors import MissingDependencyError

    def no_espeak(*_: object, **__: object) -> None:
        raise MissingDependencyError("cannot start espeak-ng (libespeak-ng.so.1 not found): "
                                     "install espeak-ng")

    monkeypatch.setattr(tts_module, "create_tts", no_espeak)
    with pytest.raises(MissingDependencyError) as raised:
        make_speaker(load_settings(), speak=True, view=None, write=print)
    message = str(raised.value)
    assert "install espeak-ng" in message and "--text" in message and "--no-speak" in message


def test_printed_questions_are_not_repeated_under_the_live_view() -> None:
    from voicecoach.agent.practice import make_speaker
    from voicecoach.config import load_settings
    from voicecoach.ui.live import LiveView

    view = LiveView(live=False)
    lines: list[str] = []
    speaker = make_speaker(load_settings(), speak=False, view=view, write=lines.append)
    events = EventSink(None, listeners=[view.handle])
    events.emit("question", question_id="max-depth", question="Why limit depth?")
    speaker.say("Why limit depth?", events)  # the view printed it as "Q1: ..."
    speaker.say("Thanks, that's all.", events)
    assert lines == ["interviewer> Thanks, that's all."]


def test_the_greeting_is_short_when_spoken_and_its_how_to_fits_the_answers() -> None:
    from voicecoach.agent.practice import greeting

    intro, said = greeting(2, voice_in=True, speak=True, end_silence=3.0)
    assert said == "Hi." and intro is not None and "out loud" in intro
    intro, said = greeting(2, voice_in=False, speak=True, end_silence=3.0)  # scripted, spoken
    assert intro is not None and "/repeat" in intro and "out loud" not in intro
    intro, said = greeting(1, voice_in=False, speak=False, end_silence=3.0)  # --text
    assert intro is None and "1 question " in said and "/repeat" in said
    intro, said = greeting(2, voice_in=True, speak=False, end_silence=2.0)  # --no-speak
    assert intro is None and "2 s of silence" in said
