"""Text-to-speech behind one small interface: ``create_tts(engine, voice=, rate=).synthesize()``.

Engines live in their own modules and are imported only when chosen, so a missing optional
package (Piper) is a one-line install hint for the user who asked for it, never an import error
for everybody else. Every engine returns an :class:`~voicecoach.audio.clip.AudioClip`; playing
it is the audio package's job, so speech can be saved, measured and tested without a speaker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from voicecoach.errors import ConfigError

if TYPE_CHECKING:
    from voicecoach.audio.clip import AudioClip

DEFAULT_RATE = 170  # words per minute: the middle of a comfortable interview pace


class TtsEngine(Protocol):
    """A speech synthesizer with a fixed voice and rate."""

    name: str  # registry name, e.g. "pyttsx3"
    voice: str  # the voice actually used (resolved, never None)
    rate: int  # words per minute

    def synthesize(self, text: str) -> AudioClip:
        """The spoken text as a mono clip (blocks until synthesis has finished)."""
        ...

    def voices(self) -> list[str]:
        """Voice names this engine accepts."""
        ...


# name -> "module:Class"; the class takes (voice: str | None, rate: int)
ENGINES: dict[str, str] = {
    "pyttsx3": "voicecoach.speech.tts_pyttsx3:Pyttsx3Tts",
    "piper": "voicecoach.speech.tts_piper:PiperTts",
}


def create_tts(engine: str = "pyttsx3", *, voice: str | None = None,
               rate: int = DEFAULT_RATE) -> TtsEngine:
    """The named engine, ready to synthesize; ConfigError for an unknown engine, voice or rate,
    MissingDependencyError (with the install command) for a missing package or espeak-ng."""
    target = ENGINES.get(engine)
    if target is None:
        raise ConfigError(f"unknown TTS engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if not 40 < rate < 400:
        raise ConfigError(f"TTS rate must be between 40 and 400 words per minute, got {rate}")
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    created: TtsEngine = cls(voice, rate)
    return created


FALLBACK_ENGINE = "pyttsx3"  # espeak-ng: robotic, but a system package rather than a model


def create_tts_with_fallback(engine: str = "piper", *, voice: str | None = None,
                             rate: int = DEFAULT_RATE) -> tuple[TtsEngine, str | None]:
    """The named engine, or pyttsx3 when the named one's package is not installed; the second
    value is a note for the user when the fallback was taken (None otherwise)."""
    from voicecoach.errors import MissingDependencyError

    try:
        return create_tts(engine, voice=voice, rate=rate), None
    except MissingDependencyError as error:
        if engine == FALLBACK_ENGINE:
            raise
        fallback = create_tts(FALLBACK_ENGINE, rate=rate)
        return fallback, f"note: {error}; the interviewer speaks with {FALLBACK_ENGINE} instead"
