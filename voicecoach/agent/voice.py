"""The interviewer's voice: TTS through the speaker, or printed (``--text``, ``--no-speak``).

Latency between the end of an answer and the next question is what makes a voice agent feel slow,
so the TTS speaker can synthesize ahead: ``prepare(text)`` starts synthesis on a worker thread
while the candidate is still answering, and ``say`` then only has to start playback.

Never talking over the candidate: ``say`` takes a ``go_ahead`` check that runs at the last moment
before any sound (the microphone: has the candidate started speaking again since the answer was
judged over?). If it says no, nothing is said and ``say`` returns False, so the interviewer can go
back to listening to the same answer.

Taking an answer: the moment a spoken answer is over, ``acknowledge`` says a short "All right."
(the reference interviewer opens nearly every reply that way) on a thread, while the answer is
transcribed and graded and the reply is synthesized. The candidate hears the interviewer within
a few hundred milliseconds of finishing, not after the 1-2 s that work takes on 2 cores; the
reply follows when ready (``say`` waits for the acknowledgment to finish).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from voicecoach.agent.events import EventSink
from voicecoach.errors import VoicecoachError
from voicecoach.grading.normalize import sentence_texts

if TYPE_CHECKING:
    from voicecoach.audio.clip import AudioClip
    from voicecoach.speech.tts import TtsEngine

Player = Callable[["AudioClip"], None]
GoAhead = Callable[[], bool]  # True: nobody is speaking, the interviewer may start
# seconds -> True once that much more of the candidate's audio has arrived with no voice in it,
# False as soon as they speak (see Microphone.quiet_for)
QuietFor = Callable[[float], bool]
TAKE_YOUR_TIME = "Take your time."  # said when a thinking pause reaches the ceiling
ACKNOWLEDGMENTS = ("All right.", "Okay.", "Right.")  # in turn, as a spoken answer ends
# ...but not before the candidate has been quiet this long: the turn may be decided 0.3 s into
# a pause, and a pause between sentences can be longer. Speech that resumes by then joins the
# answer without a sound from the interviewer. Through PulseAudio (bench_turn_practice, 40
# held-out answers): at 0.3 s, 2 of 12 finished answers heard an "Okay." in a 0.9 s pause
# between their sentences, complete-answer wait median 0.80 s; at 0.8 s none, but 1.27 s.
ACKNOWLEDGE_AFTER = 0.5
PREPARED_LIMIT = 24  # synthesized-ahead sentences kept
SENTENCE_GAP = 0.12  # seconds of silence between separately synthesized sentences


class Speaker(Protocol):
    """Says things to the candidate and reports speaking_started / speaking_finished."""

    def prepare(self, text: str) -> None: ...

    def say(self, text: str, events: EventSink, audio_path: Path | None = None,
            go_ahead: GoAhead | None = None) -> bool: ...

    def acknowledge(self, events: EventSink, quiet_for: QuietFor | None = None,
                    quiet: float = 0.0) -> None: ...

    def prepare_acknowledgments(self) -> None: ...

    def close(self) -> None: ...


class PrintSpeaker:
    """Prints what the interviewer says; no audio device needed."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    def prepare(self, text: str) -> None:
        return None

    def say(self, text: str, events: EventSink, audio_path: Path | None = None,
            go_ahead: GoAhead | None = None) -> bool:
        if go_ahead is not None and not go_ahead():
            return False
        events.emit("speaking_started", chars=len(text))
        self._write(text)
        events.emit("speaking_finished")
        return True

    def acknowledge(self, events: EventSink, quiet_for: QuietFor | None = None,
                    quiet: float = 0.0) -> None:
        return None  # on screen the reply itself comes at once; an "All right." is noise

    def prepare_acknowledgments(self) -> None:
        return None

    def close(self) -> None:
        return None


def default_player(device: str | None = None, playing: threading.Event | None = None) -> Player:
    """Plays a clip on the configured output device (blocks until done); ``playing`` is set
    meanwhile (the microphone ignores what it hears then when the interviewer uses speakers)."""

    def play_clip(clip: AudioClip) -> None:
        from voicecoach.audio.playback import play

        if playing is not None:
            playing.set()
        try:
            play(clip, device=device)
        finally:
            if playing is not None:
                playing.clear()

    return play_clip


class TtsSpeaker:
    """Synthesizes with a TTS engine (ahead of time when asked), saves the audio, plays it."""

    def __init__(
        self,
        tts: TtsEngine,
        player: Player,
        *,
        echo: Callable[[str], None] | None = None,
        ahead: bool = True,
    ) -> None:
        # ahead=False: synthesize on the calling thread only, when needed (pyttsx3: espeak-ng
        # takes ~20 ms a sentence, and its pyttsx3 driver is flaky when driven from a worker)
        self.ahead = ahead
        self._tts = tts
        self._player = player
        self._echo = echo
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")
        self._ready: dict[str, Future[AudioClip]] = {}
        self._lock = threading.Lock()
        self._acks: dict[str, Future[AudioClip]] = {}  # kept: said again and again
        self._acked = 0
        self._acking: threading.Thread | None = None  # an acknowledgment being played

    def prepare(self, text: str) -> None:
        """Start synthesizing ``text``'s sentences in the background (no-op for those under way).

        Sentences are the unit so a prepared probe is reused when a short, fresh sentence (a
        quote of the candidate, a correction) is put in front of it.
        """
        if not self.ahead:
            return
        with self._lock:
            for sentence in sentence_texts(text):
                if sentence not in self._ready:
                    self._ready[sentence] = self._pool.submit(self._tts.synthesize, sentence)
            while len(self._ready) > PREPARED_LIMIT:  # forget the oldest never-said sentences
                self._ready.pop(next(iter(self._ready))).cancel()

    def clip_for(self, text: str) -> AudioClip:
        """The whole utterance: prepared sentences reused, the rest synthesized now, joined."""
        from voicecoach.audio.clip import concatenate

        clips = []
        for sentence in sentence_texts(text):
            with self._lock:
                future = self._ready.pop(sentence, None)
            if future is None and not self.ahead:
                clips.append(self._tts.synthesize(sentence))
                continue
            if future is None:  # all synthesis on the one worker thread: engines keep state
                future = self._pool.submit(self._tts.synthesize, sentence)
            clips.append(future.result())
        return clips[0] if len(clips) == 1 else concatenate(clips, gap=SENTENCE_GAP)

    def say(self, text: str, events: EventSink, audio_path: Path | None = None,
            go_ahead: GoAhead | None = None) -> bool:
        """Speak ``text`` unless ``go_ahead`` says the candidate is talking (then False); a TTS
        failure is retried once, then the text is printed instead — an interview never stops
        because a sentence could not be synthesized."""
        try:
            clip = self.clip_for(text)
        except VoicecoachError:
            try:
                clip = self.clip_for(text)
            except VoicecoachError as error:
                if go_ahead is not None and not go_ahead():
                    return False
                events.emit("error", message=f"text-to-speech failed, printed instead: {error}")
                events.emit("speaking_started", chars=len(text), printed=True)
                (self._echo or print)(text)
                events.emit("speaking_finished")
                return True
        self._finish_acknowledgment()
        if go_ahead is not None and not go_ahead():
            return False
        if audio_path is not None:
            clip.save(audio_path)
        if self._echo is not None:
            self._echo(text)
        events.emit("speaking_started", chars=len(text), audio_seconds=round(clip.duration, 2))
        self._player(clip)
        events.emit("speaking_finished")
        return True

    def acknowledge(self, events: EventSink, quiet_for: QuietFor | None = None,
                    quiet: float = 0.0) -> None:
        """Start saying the next of :data:`ACKNOWLEDGMENTS` and return at once: once the
        candidate has been quiet :data:`ACKNOWLEDGE_AFTER` s (``quiet`` s already). With
        ``quiet_for`` that quiet is measured on the candidate's audio, not on the clock: under
        load the stream arrives late, and a clock-timed "Right." started as the candidate went
        on after a 0.48 s pause between sentences (seen on CI). Nothing is said if it is not
        synthesized yet or the candidate speaks first. It is synthesized ahead on the first call
        (the first answer is taken in silence) or by :meth:`prepare_acknowledgments`."""
        self.prepare_acknowledgments()
        text = ACKNOWLEDGMENTS[self._acked % len(ACKNOWLEDGMENTS)]
        future = self._acks.get(text)
        if future is None or not future.done() or future.exception() is not None:
            return
        self._acked += 1
        self._finish_acknowledgment()

        wait = max(0.0, ACKNOWLEDGE_AFTER - quiet)

        def play() -> None:
            if quiet_for is None:
                time.sleep(wait)
            elif not quiet_for(wait):
                return
            events.emit("speaking_started", chars=len(text), audio_seconds=round(
                future.result().duration, 2), acknowledgment=True)
            self._player(future.result())
            events.emit("speaking_finished")

        self._acking = threading.Thread(target=play, name="acknowledge", daemon=True)
        self._acking.start()

    def prepare_acknowledgments(self) -> None:
        """Synthesize the acknowledgments in the background (once; not with an engine that
        must not be driven from a worker, which then does without them)."""
        if not self.ahead:
            return
        with self._lock:
            for text in ACKNOWLEDGMENTS:
                if text not in self._acks:
                    self._acks[text] = self._pool.submit(self._tts.synthesize, text)

    def _finish_acknowledgment(self) -> None:
        acking, self._acking = self._acking, None
        if acking is not None:
            acking.join()

    def close(self) -> None:
        self._finish_acknowledgment()
        self._pool.shutdown(wait=False, cancel_futures=True)
