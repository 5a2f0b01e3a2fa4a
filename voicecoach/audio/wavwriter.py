"""A 16 kHz mono WAV that grows on disk while the candidate speaks and is valid at every moment.

Why not soundfile/wave: both write the RIFF sizes only on close, so a process killed mid-answer
leaves a file whose header claims zero frames. Here the header is rewritten after every flush
(a 44-byte header: patching two sizes costs two small writes), so after Ctrl-C, a crash or a
SIGKILL the file on disk is a readable WAV with everything up to the last flush.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import numpy as np

HEADER_BYTES = 44


def _header(sample_rate: int, data_bytes: int) -> bytes:
    """A canonical PCM 16-bit mono RIFF/WAVE header for ``data_bytes`` of samples."""
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + data_bytes, b"WAVE",
        b"fmt ", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16,
        b"data", data_bytes,
    )


def is_growing_wav_header(header: bytes, sample_rate: int = 16000) -> bool:
    """Whether ``header`` starts a file this module writes (PCM 16-bit mono at
    ``sample_rate``, samples right after the 44 bytes), whatever its sizes say so far."""
    expected = _header(sample_rate, 0)
    return len(header) >= HEADER_BYTES and header[:4] == expected[:4] and \
        header[8:HEADER_BYTES - 4] == expected[8:HEADER_BYTES - 4]


class GrowingWav:
    """Append float32 samples as 16-bit PCM; ``flush()`` makes them durable and readable."""

    def __init__(self, path: Path, sample_rate: int = 16000) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._file.write(_header(sample_rate, 0))
        self._file.flush()  # a valid, empty WAV from the first moment
        self._data_bytes = 0
        self._written_bytes = 0  # appended to the file object, maybe not yet in the header

    @property
    def frames(self) -> int:
        """Frames appended so far."""
        return self._written_bytes // 2

    def write(self, samples: np.ndarray) -> None:
        """Append mono float32 samples in [-1, 1] (clipped)."""
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
        self._file.write(pcm.tobytes())
        self._written_bytes += pcm.nbytes

    def flush(self, fsync: bool = False) -> None:
        """Push appended samples to the OS and make the header count them."""
        self._file.flush()
        if self._written_bytes != self._data_bytes:
            self._data_bytes = self._written_bytes
            position = self._file.tell()
            self._file.seek(4)
            self._file.write(struct.pack("<I", 36 + self._data_bytes))
            self._file.seek(40)
            self._file.write(struct.pack("<I", self._data_bytes))
            self._file.seek(position)
            self._file.flush()
        if fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Final flush (with fsync: the answer is a journal entry) and close; idempotent."""
        if self._file.closed:
            return
        try:
            self.flush(fsync=True)
        finally:
            self._file.close()

    def __enter__(self) -> GrowingWav:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
