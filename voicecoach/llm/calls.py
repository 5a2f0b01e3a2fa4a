"""Calling an LLM without letting it hold anyone up: a hard timeout and a one-line failure reason.

Both the interviewer's follow-up wording and the LLM judge call through here, so a slow or hung
model costs the same bounded time everywhere and every fallback says why in the same words.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class LlmTimeout(Exception):
    """The LLM did not answer in time."""


def call_with_timeout(function: Callable[[], Any], timeout: float) -> Any:
    """Run ``function()`` on a daemon thread; give up after ``timeout`` seconds.

    The HTTP clients have their own timeouts too, but a hung connection or a slow local model
    must never hold the interview, and a daemon thread never blocks the program's exit.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = function()
        except BaseException as error:  # reported to the caller below
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True, name="llm-call")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise LlmTimeout(f"no answer in {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def failure_reason(error: BaseException) -> str:
    """``Type: message`` on one line, at most 160 characters of message (for notes and events)."""
    message = " ".join(str(error).split())[:160]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
