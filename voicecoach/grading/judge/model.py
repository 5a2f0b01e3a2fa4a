"""The judge's cross-encoder at run time: an int8 ONNX MiniLM and its tokenizer, no torch.

The model reads a pair (key point, answer window) and gives four probabilities, in the order of
``LABELS``. It ships in ``voicecoach/grading/judge/data/`` with a manifest that records its
sha256, labels, input format and maximum length; loading checks the hash, so a grade's
provenance can name exactly the model that made it. ``training/judge/train.py`` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicecoach.errors import MissingDependencyError

LABELS = ("missing", "partial", "covered", "contradicted")
DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST = "manifest.json"
CACHE_SIZE = 4096  # pairs; a live answer is re-judged as it grows, most windows are unchanged


def point_text(question: str, claim: str) -> str:
    """The first segment of a pair: the claim to look for.

    One definition for training and run time: the model only ever sees pairs built here. The
    question is left out (measured: it adds a quarter to every pair's length, hence to training
    and grading time); rubric authors write each description to stand on its own.
    """
    del question
    return claim


def load_tokenizer(path: Path, max_length: int) -> Any:
    """The judge's tokenizer, for training and run time alike: truncate the answer window, never
    the claim, and pad nothing. The MiniLM ``tokenizer.json`` pads every input to 128 tokens;
    ``encode_pairs`` pads a batch only to its longest pair, which measured 3.8x faster scoring."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length, strategy="only_second")
    return tokenizer


Batch = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]


def encode_pairs(tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> Batch:
    """``(input_ids, attention_mask, token_type_ids)``, zero-padded to the longest pair: one
    encoding for training and run time."""
    encodings = tokenizer.encode_batch(list(pairs))
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(pairs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = encoding.attention_mask
        types[row, :n] = encoding.type_ids
    return ids, mask, types


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` says about the shipped model."""

    model_file: str
    sha256: str
    max_length: int
    labels: tuple[str, ...]
    base_model: str
    training: dict[str, Any]

    @classmethod
    def installed(cls, directory: Path = DATA_DIR) -> Manifest:
        """The manifest of the model in ``directory``; a clear error when there is none (cheap:
        callers check this up front and load the model itself in the background)."""
        if not (directory / MANIFEST).exists():
            raise MissingDependencyError(
                f"no judge model in {directory}: rebuild it with "
                "`.venv/bin/python training/judge/train.py` or use --grader patterns"
            )
        return cls.read(directory)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        return cls(
            model_file=data["model_file"], sha256=data["sha256"],
            max_length=int(data["max_length"]), labels=tuple(data["labels"]),
            base_model=data.get("base_model", ""), training=data.get("training", {}),
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class JudgeModel:
    """Scores (point, window) pairs; thread-safe, with a small cache of recent pairs."""

    def __init__(
        self, directory: Path = DATA_DIR, threads: int = 2, cache_size: int = CACHE_SIZE
    ) -> None:
        try:
            import onnxruntime as ort
            import tokenizers  # noqa: F401
        except ImportError as error:
            raise MissingDependencyError(
                f"the key-point judge needs onnxruntime and tokenizers ({error}): "
                "pip install onnxruntime tokenizers"
            ) from None
        self.manifest = Manifest.installed(directory)
        if tuple(self.manifest.labels) != LABELS:
            raise MissingDependencyError(f"judge model labels {self.manifest.labels} != {LABELS}")
        model_path = directory / self.manifest.model_file
        actual = file_sha256(model_path)
        if actual != self.manifest.sha256:
            raise MissingDependencyError(
                f"judge model {model_path} has sha256 {actual[:12]}…, the manifest says "
                f"{self.manifest.sha256[:12]}…: reinstall voicecoach or rebuild the model"
            )
        self.sha256 = actual
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = load_tokenizer(directory / "tokenizer.json", self.manifest.max_length)
        self._lock = threading.Lock()
        self._cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], npt.NDArray[np.float32]] = OrderedDict()

    def predict(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """Probabilities ``(len(pairs), 4)`` in ``LABELS`` order."""
        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        with self._lock:
            todo = [i for i, pair in enumerate(pairs) if pair not in self._cache]
            for i, pair in enumerate(pairs):
                if pair in self._cache:
                    out[i] = self._cache[pair]
                    self._cache.move_to_end(pair)
            # one pair per run: the int8 model quantises its activations dynamically, with one
            # scale for the whole input, so a pair batched with others scored up to 0.06
            # differently from the same pair alone (and a grade would depend on what else was
            # read with it: live, ahead at a pause, or in a regrade). Measured, batches of 32
            # were only ~15% faster per pair.
            for i in todo:
                out[i] = self._run([pairs[i]])[0]
                self._cache[pairs[i]] = out[i]
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    def _run(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        ids, mask, types = encode_pairs(self._tokenizer, pairs)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        outputs = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})
        logits = np.asarray(outputs[0], dtype=np.float32)
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        probs: npt.NDArray[np.float32] = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
        return probs


_shared: dict[Path, JudgeModel] = {}
_shared_lock = threading.Lock()


def shared_model(directory: Path = DATA_DIR) -> JudgeModel:
    """The process's one judge model (loading takes a fraction of a second; do it once)."""
    with _shared_lock:
        if directory not in _shared:
            _shared[directory] = JudgeModel(directory)
        return _shared[directory]
