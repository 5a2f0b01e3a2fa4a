"""Background model loads: held while the voice speaks first, never deadlocked by holding."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from voicecoach import loading
from voicecoach.agent.practice import SharedStt, release_at_first_question
from voicecoach.loading import BackgroundLoad


def signalling(event: threading.Event, value: object) -> object:
    """A load that says it ran."""
    event.set()
    return value


@pytest.fixture(autouse=True)
def released() -> Iterator[None]:
    yield
    loading.release()


def test_a_load_starts_at_once_when_nothing_is_held() -> None:
    ran = threading.Event()
    load = BackgroundLoad(lambda: signalling(ran, 7), "t")
    assert ran.wait(5)
    assert load.result() == 7


def test_a_held_load_waits_for_release() -> None:
    ran = threading.Event()
    loading.hold()
    load = BackgroundLoad(lambda: signalling(ran, "model"), "t")
    assert not ran.wait(0.3)
    assert not load.done()
    loading.release()
    assert ran.wait(5)
    assert load.result() == "model"


def test_asking_for_a_held_result_loads_it_now() -> None:
    loading.hold()
    load = BackgroundLoad(lambda: "model", "t")
    assert load.result() == "model"  # no deadlock: result() starts the load


def test_a_failed_load_raises_where_the_result_is_used() -> None:
    def broken() -> None:
        raise RuntimeError("no weights")

    load = BackgroundLoad(broken, "t")
    with pytest.raises(RuntimeError, match="no weights"):
        load.result()


def test_loads_are_released_when_the_first_question_is_heard() -> None:
    loading.hold()
    started = threading.Event()
    stt = SharedStt(lambda: signalling(started, "engine"))
    listen = release_at_first_question()
    listen({"type": "speaking_started"})  # the greeting
    assert not started.wait(0.3)
    listen({"type": "question"})
    listen({"type": "speaking_started"})  # the question's audio
    assert started.wait(5)
    assert stt.ready() == "engine"


def test_the_quick_engine_is_used_once_loaded_and_is_optional() -> None:
    def no_quick() -> str:
        raise OSError("quick engine missing")

    stt = SharedStt(lambda: "engine", no_quick)
    assert stt.ready() == "engine"
    assert stt._quick is not None
    stt._quick._done.wait(5)
    assert stt._quick_engine() is None  # failed: the shared engine does the quick decodes
