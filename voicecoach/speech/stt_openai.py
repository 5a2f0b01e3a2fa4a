"""openai-whisper (PyTorch, CPU): the engine the product was specified with, as an optional extra.

Three things make it work offline and without an ffmpeg binary:

- weights: a checkpoint converted from the bundled CTranslate2 model (``convert_openai.py``),
  made on first use and cached under ``~/.cache/voicecoach/openai-whisper/`` — or a ``.pt`` path,
  or an official name already in openai-whisper's own cache;
- audio: float32 samples are passed in (openai-whisper shells out to ffmpeg for file names);
- word timestamps: ``load_model(path)`` does not know which cross-attention heads align with
  words, so the heads are set from the checkpoint (or openai-whisper's table for its names).

Silence is gated with the Silero VAD faster-whisper bundles: no speech, no decoding, no invented
text.
"""

from __future__ import annotations

import base64
import gzip
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import ConfigError, MissingDependencyError
from voicecoach.speech.models import (
    BUNDLED_MODELS,
    OPENAI_WHISPER_HINT,
    locate_model,
    openai_checkpoint_path,
)
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


def _import_whisper() -> Any:
    try:
        import torch  # noqa: F401  (imported first: a missing torch is the usual cause)
        import whisper
    except ImportError as error:
        raise MissingDependencyError(
            f"openai-whisper is not installed ({error.name}): {OPENAI_WHISPER_HINT}"
        ) from None
    return whisper


def resolve_checkpoint(model: str, *, allow_download: bool = False, progress: bool = False) -> Path:
    """The ``.pt`` file for ``model``: a path, a bundled model (converted once), or a name in
    openai-whisper's cache (downloaded only with ``allow_download``)."""
    path = Path(model).expanduser()
    if path.suffix == ".pt":
        if not path.is_file():
            raise ConfigError(f"openai-whisper checkpoint {path} not found")
        return path
    if model in BUNDLED_MODELS:
        target = openai_checkpoint_path(model)
        if not target.is_file():
            from voicecoach.speech.convert_openai import convert

            with status(f"converting the bundled {model} for openai-whisper (once)…", progress):
                convert(locate_model(model), target)
        return target
    whisper = _import_whisper()
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"
    url: str | None = whisper._MODELS.get(model)
    if url is None:
        raise ConfigError(f"unknown openai-whisper model {model!r}: use {', '.join(BUNDLED_MODELS)}"
                          ", an official model name, or a path to a .pt checkpoint")
    cached = root / os.path.basename(url)
    if cached.is_file():
        return cached
    if not allow_download:
        raise ConfigError(
            f"openai-whisper model {model!r} is not available offline: use "
            f"{' or '.join(BUNDLED_MODELS)} (converted from the bundled weights), "
            "or pass --allow-download to fetch it once"
        )
    with status(f"downloading openai-whisper {model}…", progress):
        return Path(str(whisper._download(url, str(root), False)))


def alignment_dump(heads: list[list[int]], layers: int, per_layer: int) -> bytes:
    """``[layer, head]`` pairs in the encoding ``Whisper.set_alignment_heads`` takes."""
    mask = np.zeros((layers, per_layer), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


class OpenAiWhisperStt:
    """An openai-whisper model on CPU (fp32), loaded once."""

    name = "openai-whisper"

    def __init__(self, model: str = "tiny.en", *, threads: int = 0, allow_download: bool = False,
                 progress: bool = False, options: SttOptions | None = None) -> None:
        whisper = _import_whisper()
        import torch

        self.model = model
        self.options = options or SttOptions()
        self.threads = default_threads(threads)
        self.progress = progress
        torch.set_num_threads(self.threads)
        checkpoint_path = resolve_checkpoint(model, allow_download=allow_download,
                                             progress=progress)
        started = time.perf_counter()
        with status(f"loading speech model {model} (openai-whisper)…", progress):
            checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
            dims = whisper.model.ModelDimensions(**checkpoint["dims"])
            self._model = whisper.model.Whisper(dims)
            self._model.load_state_dict(checkpoint["model_state_dict"])
            self._model.eval()
        heads = checkpoint.get("alignment_heads")
        official = whisper._ALIGNMENT_HEADS.get(model)
        if heads:
            self._model.set_alignment_heads(
                alignment_dump(heads, dims.n_text_layer, dims.n_text_head))
        elif official is not None:
            self._model.set_alignment_heads(official)
        self.checkpoint = checkpoint_path
        self.load_seconds = time.perf_counter() - started

    def transcribe(self, audio: Path | np.ndarray, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Transcript:
        """Transcribe a file or float32 mono 16 kHz samples (see SttEngine)."""
        samples = as_samples(audio)
        started = time.perf_counter()
        o = self.options
        initial_prompt = build_prompt(prompt, o)
        duration = len(samples) / SAMPLE_RATE
        settings: dict[str, Any] = {**options_dict(o), "compute_type": "float32",
                                    "threads": self.threads, "initial_prompt": initial_prompt,
                                    "word_timestamps": word_timestamps}
        decoded: list[tuple[Segment, list[Word]]] = []
        if not o.vad_filter or _has_speech(samples):
            greedy = o.beam_size <= 1
            result = self._model.transcribe(
                samples, language=o.language, fp16=False, verbose=None,
                beam_size=None if greedy else o.beam_size, best_of=None if greedy else o.beam_size,
                initial_prompt=initial_prompt, word_timestamps=word_timestamps,
                condition_on_previous_text=o.condition_on_previous_text,
                no_speech_threshold=o.no_speech_threshold, logprob_threshold=o.log_prob_threshold,
                compression_ratio_threshold=o.compression_ratio_threshold,
            )
            decoded = [_convert(s) for s in result["segments"]]
        return assemble(decoded, duration=duration, engine=self.name, model=self.model,
                        settings=settings, seconds=time.perf_counter() - started)


def _has_speech(samples: np.ndarray) -> bool:
    """Silero VAD (bundled with faster-whisper, onnxruntime): any speech at all?"""
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError:  # no VAD available: let Whisper's own no-speech rule decide
        return True
    return bool(get_speech_timestamps(samples, VadOptions()))


def _convert(segment: dict[str, Any]) -> tuple[Segment, list[Word]]:
    """openai-whisper's segment dict and words as voicecoach's models."""
    words = [Word(word=str(w["word"]).strip(), start=round(float(w["start"]), 3),
                  end=round(float(w["end"]), 3), probability=round(float(w["probability"]), 4))
             for w in segment.get("words", [])]
    return Segment(text=str(segment["text"]).strip(), start=round(float(segment["start"]), 3),
                   end=round(float(segment["end"]), 3),
                   no_speech_prob=float(segment["no_speech_prob"]),
                   avg_logprob=float(segment["avg_logprob"]),
                   compression_ratio=float(segment["compression_ratio"])), words
