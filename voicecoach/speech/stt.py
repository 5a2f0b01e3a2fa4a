"""Speech-to-text behind one small interface: ``create_stt(engine, model).transcribe(audio)``.

Engines live in their own modules (``stt_faster.py``, ``stt_openai.py``) and are imported only
when chosen, so a missing optional package is a one-line install hint for the user who asked for
it. Everything engines share lives here: the decoding options (one frozen dataclass, so a
transcript records exactly how it was made), audio loading (any file libsndfile reads, resampled
to 16 kHz mono, no ffmpeg), the prompt (question + fillers) and the filters that drop text
Whisper invents in silence.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voicecoach.errors import ConfigError, VoicecoachError
from voicecoach.speech.fillers import FILLER_SOUNDS
from voicecoach.speech.transcript import Segment, Transcript, Word

SAMPLE_RATE = 16_000  # what every Whisper model expects
# Whisper was trained on transcripts that mostly omit disfluencies, so it drops "um"/"uh" unless
# the prompt shows it a transcript style that keeps them (benchmarks/README.md has the figures).
FILLER_PROMPT = "Umm, let me think, uh... so, um, I'd say, like,"
# what the filler cue can make Whisper write in a silent window: its sounds and its "like", "so"
CUE_WORDS = FILLER_SOUNDS | {"like", "so"}


class AudioFileError(VoicecoachError):
    """An audio file that is missing, empty or not audio (one bad file of many is reported)."""


@dataclass(frozen=True)
class SttOptions:
    """How audio is decoded; recorded in every transcript's ``settings``."""

    beam_size: int = 5  # greedy (1) dropped a sentence at the 30 s window boundary; 5 did not
    compute_type: str = "int8"  # faster-whisper only; as accurate as fp32 on CPU and faster
    vad_filter: bool = True  # skip non-speech before decoding: faster, and no text in silence
    filler_prompt: bool = True  # append FILLER_PROMPT to the prompt so "um"/"uh" are kept
    condition_on_previous_text: bool = True  # carry context across 30 s windows
    no_speech_threshold: float = 0.6  # with log_prob_threshold: a window judged silent
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4  # repetitive (looping) text is a hallucination
    max_words_per_second: float = 8.0  # people speak 2-4; more is text the audio cannot hold
    language: str = "en"


class SttEngine(Protocol):
    """A loaded speech-to-text model."""

    name: str  # registry name, e.g. "faster-whisper"
    model: str  # model name or path as given
    options: SttOptions

    def transcribe(self, audio: Path | np.ndarray, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Transcript:
        """Transcribe a file or float32 mono 16 kHz samples."""
        ...


# name -> "module:Class"; the class takes (model, threads=, allow_download=, progress=, options=)
ENGINES: dict[str, str] = {
    "faster-whisper": "voicecoach.speech.stt_faster:FasterWhisperStt",
    "openai-whisper": "voicecoach.speech.stt_openai:OpenAiWhisperStt",
}


def create_stt(engine: str = "faster-whisper", model: str = "tiny.en", *, threads: int = 0,
               allow_download: bool = False, progress: bool = False,
               options: SttOptions | None = None) -> SttEngine:
    """The named engine with its model loaded; ConfigError for an unknown engine or model,
    MissingDependencyError (with the pip command) for a missing package."""
    target = ENGINES.get(engine)
    if target is None:
        raise ConfigError(f"unknown STT engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    created: SttEngine = cls(model, threads=threads, allow_download=allow_download,
                             progress=progress, options=options or SttOptions())
    return created


def default_threads(threads: int) -> int:
    """``threads`` or, for 0, the CPU count capped at 4 (more threads than cores thrash)."""
    return threads if threads > 0 else max(1, min(4, os.cpu_count() or 1))


def load_audio(path: Path) -> np.ndarray:
    """A file's samples as float32 mono at 16 kHz; AudioFileError saying what is wrong."""
    import soundfile as sf

    from voicecoach.audio.clip import AudioClip

    if not path.exists():
        raise AudioFileError(f"{path}: file not found")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: the file is empty")
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, OSError) as error:
        raise AudioFileError(f"{path}: not a readable audio file ({error})") from None
    if len(samples) == 0:
        raise AudioFileError(f"{path}: the audio has no samples (0 seconds)")
    return AudioClip(samples, int(rate)).resampled(SAMPLE_RATE).samples


def as_samples(audio: Path | str | np.ndarray) -> np.ndarray:
    """Samples from a path or an array (float32 mono 16 kHz, as the interface promises)."""
    if isinstance(audio, np.ndarray):
        samples = np.asarray(audio, dtype=np.float32)
        return samples.mean(axis=1, dtype=np.float32) if samples.ndim == 2 else samples
    return load_audio(Path(audio))


def quick_words(engine: Any, audio: np.ndarray) -> str:
    """The words of a few seconds of recent audio, as fast as the engine can: its
    ``quick_text`` where it has one (faster-whisper: a short window, ~0.25 s), else a plain
    transcription. For turn-taking decisions, not for transcripts."""
    quick = getattr(engine, "quick_text", None)
    if quick is not None:
        return str(quick(audio))
    return str(engine.transcribe(audio, word_timestamps=False).text)


def build_prompt(prompt: str | None, options: SttOptions) -> str | None:
    """The initial prompt: the question (domain words) then, optionally, the filler cue."""
    parts = [p.strip() for p in (prompt, FILLER_PROMPT if options.filler_prompt else None) if p]
    return " ".join(p for p in parts if p) or None


def is_hallucination(segment: Segment, options: SttOptions) -> bool:
    """Text invented rather than heard.

    Whisper's own rules, applied after decoding too: a silent-looking, unsure window, or looping
    text (compression ratio). Plus two measured here: in silence, a prompt full of "um"s makes
    Whisper answer "uh..." with a confident log-probability, so a window that looks silent and
    holds nothing but fillers is dropped; and the classic tail hallucination ("If you have any
    questions, please visit our website...") packs 20 words into the last half second — more
    words per second than anyone speaks.
    """
    silent = segment.no_speech_prob > options.no_speech_threshold
    unsure = segment.avg_logprob < options.log_prob_threshold
    looping = segment.compression_ratio > options.compression_ratio_threshold
    words = re.findall(r"[a-z0-9']+", segment.text.lower())
    only_fillers = all(w in CUE_WORDS for w in words)
    span = max(segment.end - segment.start, 0.01)
    too_fast = len(words) >= 4 and len(words) / span > options.max_words_per_second
    return (silent and (unsure or only_fillers)) or looping or too_fast or not words


def tidy(text: str) -> str:
    """Segment texts joined with single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def assemble(decoded: list[tuple[Segment, list[Word]]], *, duration: float, engine: str,
             model: str, settings: dict[str, Any], seconds: float) -> Transcript:
    """A Transcript from decoded segments, hallucinated ones dropped (options in ``settings``)."""
    options = SttOptions(**{k: v for k, v in settings.items() if k in SttOptions.__annotations__})
    kept = [(s, w) for s, w in decoded if not is_hallucination(s, options)]
    dropped = len(decoded) - len(kept)
    return Transcript(
        text=tidy(" ".join(s.text for s, _ in kept)),
        words=[w for _, words in kept for w in words],
        segments=[s for s, _ in kept],
        duration=round(duration, 3),
        engine=engine,
        model=model,
        settings={**settings, "dropped_segments": dropped},
        seconds=round(seconds, 3),
    )


def options_dict(options: SttOptions) -> dict[str, Any]:
    """The options as plain data for ``Transcript.settings``."""
    return asdict(options)


@contextmanager
def status(message: str, enabled: bool) -> Iterator[None]:
    """A Rich spinner on stderr while something slow runs (stdout stays clean for --json)."""
    if not enabled:
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield
