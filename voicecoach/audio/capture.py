"""Record spoken answers from the microphone into WAVs on disk, ending each at the right time.

One :class:`Microphone` stays open for a whole interview, so nothing the candidate says is lost
between answers: speech that resumes after an answer was judged over but before the interviewer
starts talking is noticed (:meth:`Microphone.resumed`) and continues the same answer, and speech
while the interviewer talks is kept as the start of the next answer. With headphones (the normal
setup) the microphone hears only the candidate. With speakers (``speakers=True``) it also hears
the interviewer, so audio captured while the interviewer plays is replaced by silence: the
candidate must wait for the interviewer to finish (half duplex), as on a speakerphone.

The audio callback only copies blocks into a queue; :func:`record_answer` writes them to a
:class:`~voicecoach.audio.wavwriter.GrowingWav` (header valid after every flush, so Ctrl-C or a
crash loses nothing already said), runs Silero VAD on them and asks the
:class:`~voicecoach.audio.vad.Endpointer` and the :class:`~voicecoach.audio.turntaking.TurnJudge`
whether the answer is over. Timing is counted in samples, not wall-clock time, so a slow judge
(it may run Whisper) delays a decision but never shortens the silence the candidate is granted.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np

from voicecoach.audio.devices import audio_error, resolve_device, running, sounddevice
from voicecoach.audio.turntaking import TurnJudge
from voicecoach.audio.vad import SAMPLE_RATE, WINDOW, EndpointConfig, Endpointer, VoiceDetector
from voicecoach.audio.wavwriter import GrowingWav
from voicecoach.errors import AudioDeviceError

EndedBy = Literal["silence", "turn", "stop", "phrase", "max_length", "no_speech"]
BLOCK = WINDOW  # one Silero window: 32 ms
FLUSH_SECONDS = 0.25  # how much audio a crash can lose at most
LEVEL_SECONDS = 0.1  # level-meter update interval
TAIL_SECONDS = 4.0  # recent audio transcribed for the words so far
PREFETCH_SILENCE = 0.15  # the words of a pause start being transcribed this far into it
MODEL_SECONDS = 8.0  # audio the turn model hears
PRE_ROLL = 0.3  # audio kept before speech found in the backlog (the onset VAD reacts late to)
QUIET_POLL = 0.02  # seconds between looks at the arriving audio while waiting for quiet
DEAD_MIC_SECONDS = 5.0  # an open stream that delivers nothing this long is an error


@dataclass(frozen=True)
class CaptureResult:
    """What was recorded and why recording stopped (times in seconds into the file)."""

    path: Path
    duration: float
    speech_seconds: float
    ended_by: EndedBy
    speech_start: float | None = None
    speech_end: float | None = None
    nudged: int = 0  # how often "take your time" was said


@dataclass
class CaptureHooks:
    """Callbacks from the capture thread (all optional; keep them quick)."""

    on_level: Callable[[float], None] | None = None  # RMS about ten times a second
    on_silence: Callable[[float | None], None] | None = None  # seconds left before the end
    on_speech_start: Callable[[], None] | None = None
    on_nudge: Callable[[], None] | None = None  # the ceiling: say "take your time" (async)


class Microphone:
    """An input stream kept open across answers; blocks queue up until an answer reads them."""

    def __init__(self, device: str | int | None = None, *, speakers: bool = False) -> None:
        self.device, self.speakers = device, speakers
        self.playing = threading.Event()  # set while the interviewer's audio plays
        self._blocks: queue.Queue[np.ndarray] = queue.Queue()
        self._held: list[np.ndarray] = []  # read from the queue but not yet used by an answer
        self._stream: Any = None
        self._running: Any = None
        # resumed() runs before every utterance: a Silero model costs 80-135 ms to create
        self._onset = VoiceDetector()
        self._onset_lock = threading.Lock()

    def __enter__(self) -> Microphone:
        sd = sounddevice()
        index = resolve_device(self.device, "input")

        def callback(indata: np.ndarray, _frames: int, _time: Any, _status: Any) -> None:
            block = indata[:, 0].copy()
            if self.speakers and self.playing.is_set():
                block[:] = 0.0  # the interviewer's own voice coming back through the air
            self._blocks.put(block)

        try:
            self._stream = sd.InputStream(
                samplerate=SAMPLE_RATE, channels=1, dtype="float32", blocksize=BLOCK,
                device=index, callback=callback,
            )
        except (sd.PortAudioError, ValueError) as error:
            raise audio_error(error, "input") from None
        self._running = running(sd, self._stream, "input")
        self._running.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._running is not None:
            self._running.__exit__(kind, error, trace)
            self._running = None

    def get(self, timeout: float) -> np.ndarray | None:
        """The next block (held ones first), or None after ``timeout`` s without audio."""
        if self._held:
            return self._held.pop(0)
        try:
            return self._blocks.get(timeout=timeout)
        except queue.Empty:
            return None

    def _drain(self) -> list[np.ndarray]:
        while True:
            try:
                self._held.append(self._blocks.get_nowait())
            except queue.Empty:
                return self._held

    def pending_seconds(self) -> float:
        """Audio received but not yet read by an answer (how far behind the reader is)."""
        return sum(len(block) for block in self._drain()) / SAMPLE_RATE

    def resumed(self, min_speech: float = EndpointConfig.min_speech) -> bool:
        """Whether the candidate has spoken since the last answer ended (the answer goes on)."""
        held = self._drain()
        return bool(held) and self._onset_in(np.concatenate(held), min_speech) is not None

    def quiet_for(self, seconds: float, timeout: float) -> bool:
        """Wait until ``seconds`` of audio have arrived since the last answer ended and say
        whether none of it was voice (one VAD window of it is enough to say no): quiet measured
        on the audio, so a late stream cannot make it look longer. False after ``timeout`` s
        of waiting without that much audio."""
        deadline = time.monotonic() + timeout
        needed = round(seconds * SAMPLE_RATE)
        while True:
            held = self._drain()
            audio = np.concatenate(held) if held else np.zeros(0, dtype=np.float32)
            if len(audio) and self._onset_in(audio, WINDOW / SAMPLE_RATE) is not None:
                return False
            if len(audio) >= needed:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(QUIET_POLL)

    def _onset_in(self, audio: np.ndarray, min_speech: float) -> int | None:
        with self._onset_lock:
            self._onset.reset()
            return _speech_onset(audio, min_speech, self._onset)

    def start_answer(self) -> None:
        """A new answer begins: keep from the backlog only speech (from just before it began)
        and a short pre-roll; the rest is the silence while the interviewer talked."""
        held = self._drain()
        audio = np.concatenate(held) if held else np.zeros(0, dtype=np.float32)
        onset = self._onset_in(audio, EndpointConfig.min_speech)
        keep = round(PRE_ROLL * SAMPLE_RATE)
        start = max(0, onset - keep) if onset is not None else max(0, len(audio) - keep)
        kept = audio[start // BLOCK * BLOCK:]
        self._held = [kept[i:i + BLOCK] for i in range(0, len(kept), BLOCK)]


def _speech_onset(audio: np.ndarray, min_speech: float,
                  detector: VoiceDetector | None = None) -> int | None:
    """Sample where a voiced run of ``min_speech`` s begins in ``audio``, if there is one
    (``detector``: a fresh or reset one to use)."""
    frames = (detector or VoiceDetector()).probabilities(audio)
    needed = max(1, round(min_speech * SAMPLE_RATE / WINDOW))
    run = 0
    for index, probability in enumerate(frames):
        run = run + 1 if probability >= EndpointConfig.speech_threshold else 0
        if run >= needed:
            return (index - run + 1) * WINDOW
    return None


@dataclass
class _Answer:
    """State of one recording while it runs."""

    endpointer: Endpointer
    judge: TurnJudge | None
    hooks: CaptureHooks
    recent: deque[np.ndarray] = field(default_factory=lambda: deque(
        maxlen=round(MODEL_SECONDS * SAMPLE_RATE / BLOCK)))
    nudged: int = 0

    def audio(self, seconds: float) -> np.ndarray:
        blocks = list(self.recent)[-round(seconds * SAMPLE_RATE / BLOCK):]
        return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)

    def decide(self, decision: str | None) -> EndedBy | None:
        """Act on one endpointer decision; return why recording ends, if it does."""
        hooks, judge = self.hooks, self.judge
        if decision is None:
            return None
        if decision == "speech_start":
            if hooks.on_speech_start is not None:
                hooks.on_speech_start()
            return None
        if decision == "turn_check" and judge is not None:
            verdict = judge.at_pause(self.audio(MODEL_SECONDS), self.audio(TAIL_SECONDS),
                                     self.endpointer.silence, self.endpointer.speech_seconds)
            if verdict.done:
                return "phrase" if verdict.reason == "phrase" else "turn"
            return None
        if decision == "pause":
            return "phrase" if judge is not None and judge.said_done(
                self.audio(TAIL_SECONDS)) else None
        if decision == "ceiling":
            self.nudged += 1
            if hooks.on_nudge is not None:
                hooks.on_nudge()
            return None
        if decision in ("silence", "no_speech", "max_length"):
            return decision  # type: ignore[return-value]
        return None


def record_answer(
    path: Path,
    *,
    mic: Microphone | None = None,
    device: str | int | None = None,
    endpoint: EndpointConfig | None = None,
    judge: TurnJudge | None = None,
    stop: threading.Event | None = None,
    hooks: CaptureHooks | None = None,
    before: np.ndarray | None = None,
) -> CaptureResult:
    """Record 16 kHz mono into ``path`` until the answer ends.

    Ends when ``judge`` says the turn is over at a pause, on a spoken "I'm done", after the
    endpoint's silence limit, when ``stop`` is set (Enter), at ``max_seconds``, or when nothing
    was said within ``no_speech_timeout``. ``mic`` is the interview's open microphone (one is
    opened on ``device`` for this answer otherwise). ``before`` is audio already recorded for
    this answer (it resumed after being judged over): written first, and the answer has begun.
    """
    if mic is None:  # a microphone of its own: everything it heard belongs to this answer
        with Microphone(device) as own:
            return _record(path, own, endpoint, judge, stop, hooks, before, fresh=True)
    return _record(path, mic, endpoint, judge, stop, hooks, before, fresh=False)


def _record(path: Path, mic: Microphone, endpoint: EndpointConfig | None,
            judge: TurnJudge | None, stop: threading.Event | None, hooks: CaptureHooks | None,
            before: np.ndarray | None, *, fresh: bool) -> CaptureResult:
    config = endpoint or EndpointConfig()
    detector = VoiceDetector()
    answer = _Answer(Endpointer(config, detector.frame_seconds), judge, hooks or CaptureHooks())
    endpointer = answer.endpointer
    ended_by: EndedBy | None = None
    # resumed: the pause that was judged over lasts until the candidate's next voiced frame,
    # also when the new audio begins with voice (then there is no silence-to-voice step, and
    # every later pause was taken for that one: answers resumed this way waited for the 8 s
    # ceiling at their real end, through PulseAudio)
    resumed = False
    with GrowingWav(Path(path), SAMPLE_RATE) as wav:
        if before is not None and len(before):
            resumed = True
            wav.write(before)
            for start in range(0, len(before), BLOCK):
                answer.recent.append(before[start:start + BLOCK])
            for _ in detector.probabilities(before):
                endpointer.update(1.0)  # already known to be speech: the answer has begun
            if judge is not None:
                judge.resume()
        elif not fresh:
            mic.start_answer()
        flushed_at = level_at = 0
        idle = 0.0
        while ended_by is None:
            if stop is not None and stop.is_set():
                ended_by = "stop"
                break
            block = mic.get(timeout=0.1)
            if block is None:
                idle += 0.1
                if idle >= DEAD_MIC_SECONDS:
                    raise AudioDeviceError(
                        "the microphone delivers no audio: check that it is connected, not "
                        "muted and not used by another program, or pick another one with "
                        "VOICECOACH_INPUT_DEVICE; or practise without audio: "
                        "`voicecoach practice --text`"
                    ) from None
                continue
            idle = 0.0
            wav.write(block)
            answer.recent.append(block)
            if wav.frames - level_at >= LEVEL_SECONDS * SAMPLE_RATE:
                level_at = wav.frames
                if answer.hooks.on_level is not None:
                    answer.hooks.on_level(float(np.sqrt(np.mean(np.square(block)))))
                if answer.hooks.on_silence is not None:
                    answer.hooks.on_silence(endpointer.silence_left)
            for probability in detector.probabilities(block):
                was_silent = endpointer.speech_end != endpointer.elapsed
                decision = endpointer.update(probability)
                if judge is not None and (was_silent or resumed) and endpointer.speech_end == \
                        endpointer.elapsed:
                    judge.new_speech()
                    resumed = False
                if judge is not None and endpointer.started and \
                        PREFETCH_SILENCE <= endpointer.silence < endpointer.config.turn_checks[0]:
                    judge.prefetch(answer.audio(TAIL_SECONDS))  # once per pause
                if decision == "turn_check" or decision == "pause":
                    wav.flush()  # the live transcription sees the audio up to this pause
                ended_by = answer.decide(decision)
                if ended_by is not None:
                    break
            if wav.frames - flushed_at >= FLUSH_SECONDS * SAMPLE_RATE:
                wav.flush()
                flushed_at = wav.frames
        frames = wav.frames
    return CaptureResult(
        path=Path(path),
        duration=frames / SAMPLE_RATE,
        speech_seconds=round(endpointer.speech_seconds, 3),
        ended_by=ended_by,
        speech_start=endpointer.speech_start,
        speech_end=endpointer.speech_end,
        nudged=answer.nudged,
    )
