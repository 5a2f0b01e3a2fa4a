"""Grading a spoken answer ahead, while it is still being said.

The interviewer transcribes a microphone answer at its pauses (``speech.incremental``); handed
each text so far, this grades it on its own thread and drops the grade. The judge keeps what it
read (its pair cache), so the grade made when the answer ends reads only the sentences said since
the last pause. It runs beside the transcription, never in its way: an offered text replaces one
not yet read, and closing does not wait for a grade in progress.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class AheadGrader:
    """Grades the latest text it was offered on its own thread, one at a time, and throws the
    grades away (the grader keeps what it read). Texts offered while it is busy replace each
    other: only the newest is worth reading. ``close`` does not wait for a grade in progress."""

    def __init__(self, grade: Callable[[str], object]) -> None:
        self._grade = grade
        self._latest: str | None = None
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="grade-ahead", daemon=True)
        self._thread.start()

    def offer(self, text: str) -> None:
        with self._wake:
            self._latest = text
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._latest is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                text, self._latest = self._latest, None
            if not text:
                continue
            try:
                self._grade(text)
            except Exception:  # optional work: the grade at the end is made anyway
                log.exception("grading ahead failed; the answer will be graded when it ends")
