"""pyttsx3 with espeak-ng: the default voice, robotic but always there (apt ``espeak-ng``).

Two pitfalls handled here (DESIGN.md): ``runAndWait()`` may return before the utterance has
been written, so synthesis waits for the ``finished-utterance`` callback and a non-empty file;
and an unknown voice name is silently ignored by espeak, so voices are checked against the list
up front and the ``error`` callback is connected so nothing fails quietly. espeak-ng keeps one
global state per process, hence one shared engine guarded by a lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from voicecoach.audio.clip import AudioClip
from voicecoach.errors import ConfigError, MissingDependencyError, VoicecoachError

ESPEAK_FIX = "install espeak-ng (Debian/Ubuntu: `apt-get install espeak-ng`; macOS: " \
    "`brew install espeak-ng`)"
DEFAULT_VOICE_LINUX = "gmw/en-us"
_lock = threading.Lock()
_engine: Any = None


def _shared_engine() -> Any:
    """The process's one pyttsx3 engine (espeak-ng cannot be initialised twice)."""
    global _engine
    if _engine is None:
        try:
            import pyttsx3
        except ImportError:
            raise MissingDependencyError("pyttsx3 is not installed: pip install pyttsx3") from None
        try:
            _engine = pyttsx3.init("espeak" if sys.platform.startswith("linux") else None)
        except (OSError, RuntimeError, ImportError) as error:
            raise MissingDependencyError(
                f"cannot start espeak-ng ({error}): {ESPEAK_FIX}"
            ) from None
        if sys.platform.startswith("linux"):
            # the espeak driver prints "Audio saved to ..." on stdout; the live UI owns stdout
            import pyttsx3.drivers.espeak as espeak_driver

            espeak_driver.print = lambda *args, **kwargs: None
    return _engine


class Pyttsx3Tts:
    """espeak-ng through pyttsx3, synthesized to a temporary WAV and loaded as a clip."""

    name = "pyttsx3"

    def __init__(self, voice: str | None = None, rate: int = 170) -> None:
        self.rate = rate
        # On Linux pyttsx3's espeak driver is a thin wrapper over libespeak-ng, and it was seen
        # to render an utterance at the rate of an earlier engine in the same process (a
        # question at 320 wpm after an interview at that rate, asked for at 150) and, now and
        # then, to finish without writing the file. The espeak-ng program renders the same
        # voice as fast (~20 ms a sentence, measured side by side) with nothing kept between
        # calls, so on Linux it always does the synthesis; pyttsx3 lists the voices, and
        # synthesizes on macOS and Windows (its native drivers).
        self.program = shutil.which("espeak-ng") if sys.platform.startswith("linux") else None
        if sys.platform.startswith("linux") and self.program is None:
            # measured: the driver kept a stale rate across engines (a 150 wpm question
            # rendered at 320 wpm) and now and then wrote no file, so it is not a fallback
            raise MissingDependencyError(f"the espeak-ng program is not on PATH: {ESPEAK_FIX}")
        with _lock:
            engine = _shared_engine()
            self._catalogue = _voice_catalogue(engine)
            self._default = str(engine.getProperty("voice") or self._catalogue[0][0])
        self.voice = self._resolve(voice)

    def voices(self) -> list[str]:
        """Voice ids (``gmw/en-us``); names and language codes are accepted too."""
        return sorted({entry[0] for entry in self._catalogue})

    def _resolve(self, wanted: str | None) -> str:
        if wanted is None:  # US English where espeak-ng has it, else the engine's own default
            ids = {entry[0] for entry in self._catalogue}
            return DEFAULT_VOICE_LINUX if DEFAULT_VOICE_LINUX in ids else self._default
        key = wanted.strip().lower()
        for voice_id, aliases in self._catalogue:
            if key == voice_id.lower() or key in aliases:
                return voice_id
        english = [v for v in self.voices() if "/en" in v or v.startswith("en")]
        raise ConfigError(
            f"unknown pyttsx3/espeak-ng voice {wanted!r}; English voices: {', '.join(english)} "
            f"({len(self._catalogue)} in all: `voicecoach say --list-voices`)"
        )

    def synthesize(self, text: str) -> AudioClip:
        if not text.strip():
            return AudioClip(samples=_empty(), sample_rate=22050)
        handle, name = tempfile.mkstemp(prefix="voicecoach-tts-", suffix=".wav")
        os.close(handle)
        path = Path(name)
        try:
            with _lock:
                if self.program is None:
                    self._run(text, path)
                elif not self._run_program(text, path):
                    raise VoicecoachError(
                        f"espeak-ng produced no audio for {text[:40]!r} (voice {self.voice!r}); "
                        f"check `voicecoach doctor`"
                    )
            return AudioClip.load(path)
        finally:
            path.unlink(missing_ok=True)

    def _run(self, text: str, path: Path) -> None:
        """Synthesize into ``path`` and wait until the engine says it has finished."""
        engine = _shared_engine()
        finished = threading.Event()
        errors: list[BaseException] = []
        tokens = [
            engine.connect("finished-utterance", lambda name, completed: finished.set()),
            engine.connect("error", lambda name, exception: errors.append(exception)),
        ]
        path.unlink(missing_ok=True)
        try:
            engine.setProperty("voice", self.voice)
            engine.setProperty("rate", self.rate)
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            # runAndWait can return early: wait for the callback (generous: 1 s per 10 chars)
            finished.wait(timeout=10 + len(text) / 10)
        finally:
            for token in tokens:
                engine.disconnect(token)
        if errors:
            raise VoicecoachError(f"espeak-ng failed for voice {self.voice!r}: {errors[0]}")
        if not finished.is_set() or not path.exists() or path.stat().st_size <= 44:
            raise VoicecoachError(
                f"espeak-ng produced no audio for {text[:40]!r} (voice {self.voice!r}); "
                f"check `voicecoach doctor`"
            )


    def _run_program(self, text: str, path: Path) -> bool:
        """The same voice and rate through the ``espeak-ng`` program; whether it produced audio."""
        assert self.program is not None
        result = subprocess.run(
            [self.program, "-v", self.voice, "-s", str(self.rate), "-w", str(path), "--", text],
            capture_output=True, timeout=30 + len(text) / 10, check=False,
        )
        return result.returncode == 0 and path.exists() and path.stat().st_size > 44


def _voice_catalogue(engine: Any) -> list[tuple[str, set[str]]]:
    """(id, lower-case aliases: the id's last part, name, language codes) for each voice."""
    catalogue = []
    for voice in engine.getProperty("voices"):
        voice_id = str(voice.id)
        aliases = {voice_id.lower(), voice_id.lower().rsplit("/", 1)[-1], str(voice.name).lower()}
        aliases |= {str(lang).lower() for lang in (voice.languages or []) if lang}
        catalogue.append((voice_id, aliases))
    if not catalogue:
        raise MissingDependencyError(f"espeak-ng reports no voices: {ESPEAK_FIX}")
    return catalogue


def _empty() -> Any:
    import numpy as np

    return np.zeros(0, dtype=np.float32)
