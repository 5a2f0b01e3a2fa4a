"""Models loaded on background threads, and the one moment they all wait for.

A spoken session loads four models besides the voice: speech-to-text (two Whisper engines), the
turn model and the key-point judge. Each is needed only once the candidate answers, so each loads
on a thread of its own. Started at once, they took the 2 cores from the voice while it
synthesized the greeting and the first question: measured through PulseAudio (ABBA, 6 starts
each, 2026-12-04), the first question's audio started 3.37 s after the command with the loads
started at once, 2.08 s with them started 2 s later. So a session that speaks *holds* the loads
(:func:`hold`) until the first question's audio starts (:func:`release`); whoever needs a model
sooner gets it at once (:meth:`BackgroundLoad.result` starts its load), so holding can delay a
model, never deadlock on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_held = False
_waiting: list[BackgroundLoad[object]] = []


def hold() -> None:
    """Loads created from now on wait for :func:`release` (or for their result to be asked)."""
    global _held
    with _lock:
        _held = True


def release() -> None:
    """Start every held load, and let new ones start at once. Safe to call more than once."""
    global _held
    with _lock:
        _held = False
        waiting = list(_waiting)
        _waiting.clear()
    for load in waiting:
        load.start()


class BackgroundLoad(Generic[T]):
    """``load()`` run once on a daemon thread; :meth:`result` waits for it and re-raises its
    error in the caller's thread (a model that failed to load is reported where it is used)."""

    def __init__(self, load: Callable[[], T], name: str) -> None:
        self._load = load
        self._name = name
        self._value: T | None = None
        self._error: BaseException | None = None
        self._started = False
        self._start_lock = threading.Lock()
        self._done = threading.Event()
        with _lock:
            held = _held
            if held:
                _waiting.append(self)  # type: ignore[arg-type]
        if not held:
            self.start()

    def start(self) -> None:
        """Begin loading now (no-op once begun)."""
        with self._start_lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name=self._name, daemon=True).start()

    def _run(self) -> None:
        try:
            self._value = self._load()
        except BaseException as error:  # re-raised by result(), in the thread that needs it
            self._error = error
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> T:
        """The loaded value: starts the load if it is still held, then waits for it."""
        self.start()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
