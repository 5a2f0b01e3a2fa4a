"""faster-whisper (CTranslate2): the default STT engine — int8 on CPU, beam 5, Silero VAD filter.

Measured on a 2-core machine (DESIGN.md, benchmarks/README.md): int8 is as accurate as fp32 and
faster, and 2x+ faster than openai-whisper on the same weights for 20–60 s answers. Segments
are decoded lazily, which lets a long file show progress as it goes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import MissingDependencyError
from voicecoach.speech.models import locate_model
from voicecoach.speech.stt import (
    SAMPLE_RATE,
    SttOptions,
    as_samples,
    assemble,
    build_prompt,
    default_threads,
    options_dict,
    status,
)
from voicecoach.speech.transcript import Segment, Transcript, Word

LONG_AUDIO = 60.0  # seconds; longer files show a progress bar when progress is on


class FasterWhisperStt:
    """A faster-whisper model, loaded once, transcribing English answers."""

    name = "faster-whisper"

    def __init__(self, model: str = "tiny.en", *, threads: int = 0, allow_download: bool = False,
                 progress: bool = False, options: SttOptions | None = None) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise MissingDependencyError(
                "faster-whisper is not installed: pip install faster-whisper"
            ) from None
        self.model = model
        self.options = options or SttOptions()
        self.threads = default_threads(threads)
        self.progress = progress
        source = locate_model(model, allow_download=allow_download)
        started = time.perf_counter()
        with status(f"loading speech model {model} (faster-whisper)…", progress):
            self._model = WhisperModel(
                source.location, device="cpu", compute_type=self.options.compute_type,
                cpu_threads=self.threads, files=dict(source.files) if source.files else None,
            )
        self.load_seconds = time.perf_counter() - started

    def transcribe(self, audio: Path | np.ndarray, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Transcript:
        """Transcribe a file or float32 mono 16 kHz samples (see SttEngine)."""
        samples = as_samples(audio)
        started = time.perf_counter()
        o = self.options
        initial_prompt = build_prompt(prompt, o)
        segments, _info = self._model.transcribe(
            samples, language=o.language, beam_size=o.beam_size,
            vad_filter=o.vad_filter, initial_prompt=initial_prompt,
            word_timestamps=word_timestamps,
            condition_on_previous_text=o.condition_on_previous_text,
            no_speech_threshold=o.no_speech_threshold, log_prob_threshold=o.log_prob_threshold,
            compression_ratio_threshold=o.compression_ratio_threshold,
        )
        duration = len(samples) / SAMPLE_RATE
        decoded = [_convert(s) for s in self._progress(segments, duration)]
        settings: dict[str, Any] = {**options_dict(o), "threads": self.threads,
                                    "initial_prompt": initial_prompt,
                                    "word_timestamps": word_timestamps}
        return assemble(decoded, duration=duration, engine=self.name, model=self.model,
                        settings=settings, seconds=time.perf_counter() - started)

    def _progress(self, segments: Any, duration: float) -> list[Any]:
        """Consume the lazy segment generator, with a progress bar for long audio."""
        if not self.progress or duration < LONG_AUDIO:
            return list(segments)
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        done = []
        columns = (TextColumn("transcribing"), BarColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("transcribing", total=duration)
            for segment in segments:
                done.append(segment)
                bar.update(task, completed=min(duration, segment.end))
        return done


def _convert(segment: Any) -> tuple[Segment, list[Word]]:
    """faster-whisper's segment and words as voicecoach's models."""
    words = [Word(word=w.word.strip(), start=round(w.start, 3), end=round(w.end, 3),
                  probability=round(w.probability, 4)) for w in (segment.words or [])]
    return Segment(text=segment.text.strip(), start=round(segment.start, 3),
                   end=round(segment.end, 3), no_speech_prob=segment.no_speech_prob,
                   avg_logprob=segment.avg_logprob,
                   compression_ratio=segment.compression_ratio), words
