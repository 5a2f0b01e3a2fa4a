"""Where answers come from: typed text, a scripted candidate, or the microphone.

The interviewer does not care how an answer was produced; it asks its source to ``listen`` and gets
back text (typed or scripted), an audio file to transcribe (recorded or scripted WAV), or a command
(repeat the question, skip it, end the interview). The scripted source is the simulated candidate
that demos, tests and benchmarks drive the whole loop with.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

import yaml

from voicecoach.agent.events import EventSink
from voicecoach.errors import ConfigError

Command = Literal["repeat", "skip", "quit"]
TEXT_COMMANDS: dict[str, Command] = {
    "/repeat": "repeat",
    "/r": "repeat",
    "/skip": "skip",
    "/s": "skip",
    "/quit": "quit",
    "/q": "quit",
}
KEY_COMMANDS: dict[str, Command | Literal["done"]] = {
    "\n": "done",
    "\r": "done",
    "r": "repeat",
    "s": "skip",
    "q": "quit",
}


@dataclass(frozen=True)
class ListenContext:
    """What a source needs to take one answer."""

    prompt: str  # what the interviewer just asked
    answer_path: Path  # where an audio answer is stored (turns/NNN-answer.wav)
    events: EventSink
    question_id: str | None = None
    resume: bool = False  # the answer seemed over but goes on: record on into the same file


@dataclass(frozen=True)
class Reply:
    """One answer, or a command instead of an answer."""

    text: str | None = None  # typed or scripted text
    audio: Path | None = None  # a WAV to transcribe (already at ListenContext.answer_path)
    command: Command | None = None
    ended_by: str = "typed"  # typed | script | silence | stop | phrase | max_length | no_speech
    speech_seconds: float | None = None
    quiet_seconds: float | None = None  # silence at the end of the recording (microphone)


class AnswerSource(Protocol):
    """Produces the candidate's replies, one per ``listen`` call."""

    name: str

    def listen(self, context: ListenContext) -> Reply: ...


def parse_text(line: str, *, ended_by: str = "typed") -> Reply:
    """A typed or scripted line: a ``/command`` or an answer."""
    stripped = line.strip()
    if stripped.lower() in TEXT_COMMANDS:
        return Reply(command=TEXT_COMMANDS[stripped.lower()], ended_by=ended_by)
    return Reply(text=stripped, ended_by=ended_by)


class TypedSource:
    """``--text``: answers typed on one line; ``/repeat``, ``/skip``, ``/quit`` are commands."""

    name = "typed"

    def __init__(self, read: Callable[[str], str] = input) -> None:
        self._read = read

    def listen(self, context: ListenContext) -> Reply:
        try:
            line = self._read("you> ")
        except EOFError:
            return Reply(command="quit", ended_by="eof")
        return parse_text(line)


@dataclass(frozen=True)
class ScriptItem:
    """One scripted reply: text (maybe a /command) or a WAV file."""

    text: str | None = None
    wav: Path | None = None


def _item(raw: Any, base: Path, where: str) -> ScriptItem:
    if isinstance(raw, str):
        if raw.strip().lower().endswith(".wav"):
            return ScriptItem(wav=(base / raw.strip()).resolve())
        return ScriptItem(text=raw)
    if isinstance(raw, dict):
        if "wav" in raw:
            return ScriptItem(wav=(base / str(raw["wav"])).resolve())
        if "text" in raw:
            return ScriptItem(text=str(raw["text"]))
        if "command" in raw:
            return ScriptItem(text="/" + str(raw["command"]).lstrip("/"))
    raise ConfigError(f"{where}: an answer must be text, a .wav path, or {{text|wav|command: …}}")


def load_script(path: Path) -> list[ScriptItem]:
    """Read a scripted candidate: a YAML list, or JSON lines (one string or object per line)."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read answers file {path}: {error.strerror}") from None
    base = path.parent
    if path.suffix.lower() == ".jsonl":
        items = []
        for number, line in enumerate(content.splitlines(), start=1):
            if line.strip():
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ConfigError(f"{path}:{number}: not JSON ({error.msg})") from None
                items.append(_item(raw, base, f"{path}:{number}"))
        return items
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error})") from None
    if isinstance(data, dict) and "answers" in data:
        data = data["answers"]
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of answers (or a mapping with 'answers:')")
    return [_item(raw, base, f"{path}: item {i + 1}") for i, raw in enumerate(data)]


class ScriptedSource:
    """``--answers FILE``: replies consumed in order; when they run out the interview ends."""

    name = "scripted"

    def __init__(self, items: list[ScriptItem]) -> None:
        self._items = list(items)
        self._next = 0

    @classmethod
    def from_file(cls, path: Path) -> ScriptedSource:
        return cls(load_script(path))

    @property
    def has_audio(self) -> bool:
        """Whether any scripted answer is a WAV (then speech-to-text is needed)."""
        return any(item.wav is not None for item in self._items)

    @property
    def remaining(self) -> int:
        return len(self._items) - self._next

    def listen(self, context: ListenContext) -> Reply:
        if self._next >= len(self._items):
            return Reply(command="quit", ended_by="script_exhausted")
        item = self._items[self._next]
        self._next += 1
        if item.wav is not None:
            if not item.wav.is_file():
                raise ConfigError(f"scripted answer {item.wav} does not exist")
            context.answer_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item.wav, context.answer_path)
            return Reply(audio=context.answer_path, ended_by="script")
        return parse_text(item.text or "", ended_by="script")


class KeyListener:
    """Reads single keys from the terminal while an answer is recorded (Enter, r, s, q).

    Only active when stdin is a terminal; elsewhere (pipes, tests) it does nothing and the answer
    ends by silence.
    """

    def __init__(self, on_key: Callable[[str], None]) -> None:
        self._on_key = on_key
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def active(self) -> Iterator[None]:
        if not sys.stdin.isatty():
            yield
            return
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(fd,), daemon=True)
        self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            self._thread.join(timeout=1)
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    def _run(self, fd: int) -> None:
        import os
        import select

        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                key = os.read(fd, 1).decode(errors="ignore").lower()
                if key:
                    self._on_key(key)


@dataclass
class MicSource:
    """Voice mode: record from the interview's open microphone until the turn is over (the turn
    model at a pause, a spoken "I'm done", Enter, a long silence, the time limit) or a key."""

    mic: Any  # voicecoach.audio.capture.Microphone, open for the whole interview
    endpoint: Any = None  # voicecoach.audio.vad.EndpointConfig; None = defaults
    turn_model: Any = None  # Smart Turn (loaded by the caller); None = no model
    words: Callable[[Any], str] | None = None  # recent audio -> its transcript (the STT)
    nudge: Callable[[], None] | None = None  # says "take your time" (must not block)
    name: str = "microphone"
    live_audio: ClassVar[bool] = True  # the answer WAV grows on disk while it is spoken
    _pressed: list[str] = field(default_factory=list)

    def resumed(self) -> bool:
        """The candidate has spoken since the last answer ended (checked before speaking)."""
        return bool(self.mic.resumed())

    def quiet_for(self, seconds: float) -> bool:
        """The candidate stays quiet ``seconds`` more of their audio (see Microphone.quiet_for);
        a stream that stalls for a second longer than that counts as not quiet."""
        return bool(self.mic.quiet_for(seconds, timeout=seconds + 1.0))

    def listen(self, context: ListenContext) -> Reply:
        from voicecoach.audio.capture import CaptureHooks, record_answer
        from voicecoach.audio.turntaking import TurnJudge

        stop = threading.Event()
        self._pressed.clear()

        def on_key(key: str) -> None:
            if key in KEY_COMMANDS and not stop.is_set():
                self._pressed.append(key)
                stop.set()

        def on_level(rms: float) -> None:
            context.events.emit("level", rms=round(float(rms), 4))

        def on_silence(remaining: float | None) -> None:
            context.events.emit(
                "silence", remaining=None if remaining is None else round(remaining, 1)
            )

        def on_speech_start() -> None:
            context.events.emit("speech_started", question_id=context.question_id)

        def on_nudge() -> None:
            context.events.emit("nudge", question_id=context.question_id)
            if self.nudge is not None:
                self.nudge()

        before = None
        if context.resume and context.answer_path.is_file():
            from voicecoach.speech.stt import load_audio

            before = load_audio(context.answer_path)
        judge = TurnJudge(self.turn_model, self.words)
        with KeyListener(on_key).active():
            result = record_answer(
                context.answer_path, mic=self.mic, endpoint=self.endpoint, judge=judge,
                stop=stop, before=before,
                hooks=CaptureHooks(on_level=on_level, on_silence=on_silence,
                                   on_speech_start=on_speech_start, on_nudge=on_nudge),
            )
        if judge.verdicts:
            context.events.emit("turn_checks", question_id=context.question_id, checks=[
                [v.reason, None if v.probability is None else round(v.probability, 3),
                 round(v.silence, 2), v.words]
                for v in judge.verdicts])
        action = KEY_COMMANDS.get(self._pressed[0]) if self._pressed else None
        if action in ("repeat", "skip", "quit"):
            with suppress(OSError):
                context.answer_path.unlink()
            return Reply(command=action, ended_by="key")
        if result.ended_by == "no_speech":
            return Reply(text="", audio=result.path, ended_by="no_speech", speech_seconds=0.0)
        quiet = None if result.speech_end is None else max(
            0.0, result.duration - result.speech_end)
        return Reply(
            audio=result.path, ended_by=str(result.ended_by),
            speech_seconds=float(result.speech_seconds), quiet_seconds=quiet,
        )
