"""Transcribe an answer while it is still being spoken, so little is left to do when it ends.

Why: an answer ends only after ``end_silence`` seconds of silence (3 s by default), and
transcribing 20 s of speech after that took 1.2-1.5 s on the 2-core target machine — nearly all
of the interviewer's end-of-answer → next-question latency. The microphone capture writes the
answer to a WAV that grows on disk (:mod:`voicecoach.audio.wavwriter`), so a background thread can
follow it and use the candidate's pauses:

* at every pause of ``pause`` seconds it transcribes everything not yet committed, up to the
  pause — a *speculation* that the answer has ended. The end-of-answer silence is such a pause,
  so by the time the capture declares the answer over, its transcript is usually ready;
* a speculation longer than ``commit_seconds`` is committed: later text is transcribed from the
  pause on, with the committed text as context in the prompt, so the work per pause stays
  bounded on long answers;
* :meth:`IncrementalTranscription.finish` reuses the speculation when no speech followed it, and
  otherwise transcribes only the audio after the last committed pause.

Cuts fall only in pauses found by Silero VAD, never inside a word; word and segment times are
shifted back to the start of the file, so the result reads like a transcript of the whole file.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from voicecoach.audio.vad import SAMPLE_RATE, WINDOW, EndpointConfig, VoiceDetector
from voicecoach.audio.wavwriter import HEADER_BYTES, is_growing_wav_header
from voicecoach.speech.transcript import Segment, Transcript, Word

log = logging.getLogger(__name__)

SPEECH = EndpointConfig.speech_threshold  # a window counts as speech as in end-pointing
CONTEXT_WORDS = 40  # committed words repeated in the next piece's prompt


class DetectsSpeech(Protocol):
    """Voice probabilities per 512-sample window (Silero's :class:`VoiceDetector`)."""

    def probabilities(self, samples: np.ndarray) -> list[float]: ...


class Transcribes(Protocol):
    """The part of an STT engine this module needs."""

    def transcribe(self, audio: Path | np.ndarray, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Transcript: ...


@dataclass(frozen=True)
class IncrementalOptions:
    """When to transcribe ahead (seconds); defaults chosen by ``benchmarks/bench_interviewer``."""

    # a silence this long triggers a speculation. After the turn decision's first check (0.3 s
    # into a pause, then a quick decode of ~0.3 s): started at 0.3 s, this beam-5 decode of
    # everything said so far (1-2 s on 2 cores) competed with that check for the cores and
    # delayed it. The interviewer acknowledges an answer at once, so the transcript is no
    # longer the first thing the candidate waits for.
    pause: float = 0.8
    commit_seconds: float = 12.0  # a speculation at least this long is kept as a fixed piece
    long_pending: float = 24.0  # past this much pending audio, a shorter pause will do
    short_pause: float = 0.25
    poll: float = 0.1  # how often the growing file is read


@dataclass
class _Piece:
    """A transcribed stretch of the file: samples [start, end)."""

    start: int
    end: int
    transcript: Transcript


def read_growing_wav(path: Path, start_frame: int) -> np.ndarray | None:
    """Samples from ``start_frame`` on of a GrowingWav being written; None if not that format."""
    try:
        with open(path, "rb") as file:
            if not is_growing_wav_header(file.read(HEADER_BYTES), SAMPLE_RATE):
                return None
            file.seek(HEADER_BYTES + 2 * start_frame)
            data = file.read()
    except OSError:
        return None
    usable = len(data) // 2 * 2
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0


def shifted(transcript: Transcript, seconds: float) -> tuple[list[Word], list[Segment]]:
    """Words and segments of a piece, timed from the start of the whole file."""
    words = [w.model_copy(update={"start": round(w.start + seconds, 3),
                                  "end": round(w.end + seconds, 3)}) for w in transcript.words]
    segments = [s.model_copy(update={"start": round(s.start + seconds, 3),
                                     "end": round(s.end + seconds, 3)})
                for s in transcript.segments]
    return words, segments


def joined_text(pieces: list[_Piece]) -> str:
    """The pieces' texts in order, empty ones left out: the answer's text so far, or whole."""
    return " ".join(p.transcript.text.strip() for p in pieces if p.transcript.text.strip())


def merge(pieces: list[_Piece], *, total_frames: int, seconds_after_end: float,
          transcribed_after_end: bool) -> Transcript:
    """One transcript of the whole file from its pieces (in order)."""
    words: list[Word] = []
    segments: list[Segment] = []
    for piece in pieces:
        piece_words, piece_segments = shifted(piece.transcript, piece.start / SAMPLE_RATE)
        words += piece_words
        segments += piece_segments
    first = pieces[0].transcript
    return Transcript(
        text=joined_text(pieces),
        words=words,
        segments=segments,
        duration=round(total_frames / SAMPLE_RATE, 3),
        engine=first.engine,
        model=first.model,
        settings={
            **first.settings,
            "incremental": True,
            "pieces": [[round(p.start / SAMPLE_RATE, 2), round(p.end / SAMPLE_RATE, 2)]
                       for p in pieces],
            "dropped_segments": sum(p.transcript.settings.get("dropped_segments", 0)
                                    for p in pieces),
            "seconds_after_end": round(seconds_after_end, 3),
            "transcribed_after_end": transcribed_after_end,
        },
        seconds=round(sum(p.transcript.seconds for p in pieces), 3),
    )


class IncrementalTranscription:
    """Follows one growing answer WAV in a background thread; ``finish`` returns the transcript.

    Thread-safety: the engine is called from this object's thread and, in ``finish``, from the
    caller's; the caller passes an engine that serialises calls (``practice`` wraps it in a lock)
    if something else uses it at the same time.
    """

    def __init__(self, stt: Transcribes, path: Path, prompt: str,
                 options: IncrementalOptions | None = None,
                 detector: Callable[[], DetectsSpeech] = VoiceDetector,
                 on_text: Callable[[str], None] | None = None) -> None:
        self.stt, self.path, self.prompt = stt, Path(path), prompt
        self.options = options or IncrementalOptions()
        # told the text so far after each transcription at a pause, on this object's thread:
        # the interviewer grades it ahead, so the grade at the end reads mostly cached sentences
        self._on_text = on_text
        self._make_detector = detector
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="incremental-stt", daemon=True)
        self._committed: list[_Piece] = []
        self._speculation: _Piece | None = None
        self._probabilities: list[float] = []  # one per VAD window, from frame 0
        self._detector: DetectsSpeech | None = None
        self._fed = 0  # samples handed to the detector
        self._samples = np.zeros(0, dtype=np.float32)  # everything read so far
        self._failed = False

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> IncrementalTranscription:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """The answer was not an answer (repeat, skip, quit): stop following the file."""
        self._halt()

    def _halt(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def finish(self, path: Path | None = None) -> Transcript:
        """The transcript of the finished file, reusing the work done while it grew."""
        self._halt()
        started = time.perf_counter()
        from voicecoach.speech.stt import load_audio

        samples = load_audio(Path(path or self.path))
        if self._failed or len(samples) < len(self._samples):
            return self._whole(samples, started)  # not the file we followed
        self._samples = samples
        self._update_probabilities()
        start = self._pending_start
        last_speech = self._last_speech_frame(start)
        pieces = list(self._committed)
        fresh = False
        if self._speculation is not None and self._speculation_covers(last_speech):
            pieces.append(self._speculation)
        elif last_speech is not None or not pieces:
            pieces.append(self._transcribe(start, len(samples)))
            fresh = True
        return merge(pieces, total_frames=len(samples),
                     seconds_after_end=time.perf_counter() - started, transcribed_after_end=fresh)

    # -- the background thread -------------------------------------------------------------

    def _follow(self) -> None:
        try:
            while not self._stop.wait(self.options.poll) and self.step():
                pass
        except Exception:  # a failure here must never lose the answer: finish() starts over
            log.exception("incremental transcription failed; the whole answer will be used")
            self._failed = True

    def step(self) -> bool:
        """Read what was appended and transcribe if a pause allows; False: stop following."""
        if not self._read_more():
            return False
        self._maybe_transcribe()
        return True

    def _read_more(self) -> bool:
        more = read_growing_wav(self.path, len(self._samples))
        if more is None:
            if self.path.exists() and self.path.stat().st_size >= HEADER_BYTES:
                self._failed = True  # not a file this module can follow
                return False
            return True  # not created yet
        if len(more):
            self._samples = np.concatenate([self._samples, more])
            self._update_probabilities()
        return True

    def _maybe_transcribe(self) -> None:
        start = self._pending_start
        last_speech = self._last_speech_frame(start)
        if last_speech is None or self._speculation_covers(last_speech):
            return  # nothing said yet, or already transcribed up to this pause
        now = len(self._probabilities) * WINDOW
        pending = (last_speech - start) / SAMPLE_RATE
        pause = (now - last_speech) / SAMPLE_RATE
        wanted = self.options.short_pause if pending >= self.options.long_pending \
            else self.options.pause
        if pause < wanted:
            return
        piece = self._transcribe(start, now)
        self._speculation = piece
        if (piece.end - piece.start) / SAMPLE_RATE >= self.options.commit_seconds:
            self._committed.append(piece)
            self._speculation = None
        if self._on_text is not None:
            so_far = [*self._committed, *([self._speculation] if self._speculation else [])]
            try:
                self._on_text(joined_text(so_far))
            except Exception:  # work ahead is optional: it must never stop the transcription
                log.exception("work on the text so far failed; the answer is unaffected")

    # -- helpers ----------------------------------------------------------------------------

    @property
    def _pending_start(self) -> int:
        """Where the audio not yet committed begins."""
        return self._committed[-1].end if self._committed else 0

    def _speculation_covers(self, last_speech: int | None) -> bool:
        """Whether the speculation starts at the pending audio and no speech came after it."""
        speculation = self._speculation
        return speculation is not None and speculation.start == self._pending_start and (
            last_speech is None or last_speech <= speculation.end)

    def _update_probabilities(self) -> None:
        if self._detector is None:
            self._detector = self._make_detector()
        self._probabilities += self._detector.probabilities(self._samples[self._fed:])
        self._fed = len(self._samples)

    def _last_speech_frame(self, start: int) -> int | None:
        """The frame just after the last speech window at or after ``start``; None if none."""
        first = start // WINDOW
        for index in range(len(self._probabilities) - 1, first - 1, -1):
            if self._probabilities[index] >= SPEECH:
                return (index + 1) * WINDOW
        return None

    def _context(self) -> str:
        committed = " ".join(p.transcript.text for p in self._committed).split()
        return " ".join([self.prompt, *committed[-CONTEXT_WORDS:]]).strip()

    def _transcribe(self, start: int, end: int) -> _Piece:
        audio = self._samples[start:end]
        return _Piece(start, end, self.stt.transcribe(audio, prompt=self._context() or None))

    def _whole(self, samples: np.ndarray, started: float) -> Transcript:
        self._committed, self._speculation = [], None
        piece = _Piece(0, len(samples), self.stt.transcribe(samples, prompt=self.prompt or None))
        return merge([piece], total_frames=len(samples),
                     seconds_after_end=time.perf_counter() - started, transcribed_after_end=True)
