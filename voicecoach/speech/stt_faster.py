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
    FILLER_PROMPT,
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
# quick_text: the recent audio is decoded in a window this long (the audio, then silence).
# Whisper's encoder is built for 30 s but CTranslate2 takes a shorter input, and the cost falls
# with it: tiny.en on 2 cores, a 4 s tail in an 8 s window 0.25 s, padded to 30 s 0.8 s. With
# no silence after the speech it loops ("...the average of the mean squared error is the
# average of..."); 8 s held the most unfinished pauses open in the turn probe (26 of 42, 30 s:
# 22) and never a finished answer.
QUICK_WINDOW = 8.0
QUICK_TAIL_PAD = 1.0  # at least this much silence after a tail longer than the window allows
TIMESTAMP_BEGIN_OFFSET = 1  # <|0.00|> follows <|notimestamps|> in every Whisper vocabulary


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

    def quick_text(self, audio: np.ndarray) -> str:
        """The words of a few seconds of recent audio, fast (~0.25 s on 2 cores), for deciding
        whether the candidate has finished: greedy, no word times, a short encoder window
        (:data:`QUICK_WINDOW`), and the filler cue as the previous text so a trailing "um" or
        "so..." is written rather than smoothed away. Not for the answer's transcript: beam 5
        and the full window are more accurate there."""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        samples = np.asarray(audio, dtype=np.float32)
        seconds = len(samples) / SAMPLE_RATE
        if seconds < 0.1:
            return ""
        pad = max(QUICK_WINDOW - seconds, QUICK_TAIL_PAD)
        padded = np.concatenate([samples, np.zeros(round(pad * SAMPLE_RATE), np.float32)])
        features = self._model.feature_extractor(padded)
        frames = min(features.shape[-1] // 2 * 2, 3000)  # the encoder halves the frame count
        tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual,
                              task="transcribe", language=self.options.language)
        cue = tokenizer.encode(" " + FILLER_PROMPT)
        prompt = [tokenizer.sot_prev, *cue, *tokenizer.sot_sequence,
                  tokenizer.no_timestamps + TIMESTAMP_BEGIN_OFFSET]
        result = self._model.model.generate(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None, :, :frames])),
            [prompt], beam_size=1, max_length=len(prompt) + round(5 * seconds) + 8,
            return_no_speech_prob=True,
        )
        if result[0].no_speech_prob > self.options.no_speech_threshold:
            return ""  # silence: Whisper would write "you" or "Thank you."
        tokens = [t for t in result[0].sequences_ids[0] if t < tokenizer.eot]
        return str(tokenizer.decode(tokens)).strip()

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
