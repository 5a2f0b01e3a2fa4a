"""Smart Turn v3.2: has the speaker finished their turn? An audio model asked at each pause.

A fixed silence cannot tell "…and that's why it overfits." from "…so the gradient is, hmm…":
both are followed by silence. Smart Turn (pipecat-ai, BSD-2) was trained to hear the difference
in intonation and rhythm. It takes the last 8 s of 16 kHz audio as 80×800 Whisper log-mel
features and returns the probability that the turn is complete (~90 ms on one thread).

Why onnxruntime and our own 20 lines rather than pipecat's ``LocalSmartTurnAnalyzerV3``:
importing pipecat pulls loguru, soxr and its frame-pipeline base class (the package's
``__init__`` imports loguru), the analyzer runs its own silence timer that would fight ours, and
the math we need is small. The model file ships inside the ``pipecat-ai`` wheel, which is installed
with ``--no-deps`` only to carry it; it is located with ``importlib.util.find_spec`` without
importing pipecat. The features come from faster-whisper's numpy ``FeatureExtractor`` (already a
dependency), which matches pipecat's vendored copy of transformers' WhisperFeatureExtractor to
2e-6 once the waveform is normalised to zero mean and unit variance as transformers does.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.audio.vad import SAMPLE_RATE
from voicecoach.errors import MissingDependencyError
from voicecoach.loading import BackgroundLoad

MODEL_RELATIVE = Path("audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx")
SECONDS = 8  # the model hears the last 8 s (zero-padded in front when shorter)
INSTALL_HINT = "pip install --no-deps pipecat-ai==1.14.0 (it carries the Smart Turn model)"


def model_path() -> Path:
    """The Smart Turn ONNX inside the installed pipecat-ai wheel (not imported)."""
    spec = importlib.util.find_spec("pipecat")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / MODEL_RELATIVE
        if path.is_file():
            return path
    raise MissingDependencyError(f"the Smart Turn end-of-turn model is missing: {INSTALL_HINT}")


def features(audio: np.ndarray, extractor: Any) -> np.ndarray:
    """(1, 80, 800) log-mel of the last 8 s, as Smart Turn was trained on."""
    wanted = SECONDS * SAMPLE_RATE
    samples = np.asarray(audio, dtype=np.float32)[-wanted:]
    if len(samples) < wanted:
        samples = np.pad(samples, (wanted - len(samples), 0))
    samples = (samples - samples.mean()) / np.sqrt(samples.var() + 1e-7)
    mel = extractor(samples, padding=0)
    return np.asarray(mel, dtype=np.float32)[None]


class SmartTurn:
    """The loaded model; :meth:`probability` is thread-safe (one ONNX session, one lock)."""

    def __init__(self, path: Path | None = None, threads: int = 1) -> None:
        import onnxruntime as ort
        from faster_whisper.feature_extractor import FeatureExtractor

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(str(path or model_path()), sess_options=options,
                                             providers=["CPUExecutionProvider"])
        self._extractor = FeatureExtractor(feature_size=80)
        self._lock = threading.Lock()

    def probability(self, audio: np.ndarray) -> float:
        """How likely the speaker has finished, given the audio up to now (16 kHz float32)."""
        inputs = {"input_features": features(audio, self._extractor)}
        with self._lock:
            output = self._session.run(None, inputs)
        return float(np.asarray(output[0]).reshape(-1)[0])


class BackgroundTurnModel:
    """A :class:`SmartTurn` loaded on a thread (``voicecoach.loading``), so loading (~0.3 s)
    overlaps the first question; the first :meth:`probability` waits for it. A missing model
    file is reported at once."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path or model_path()
        self._model = BackgroundLoad(lambda: SmartTurn(self._path), "turn-model-load")

    def probability(self, audio: np.ndarray) -> float:
        return self._model.result().probability(audio)
