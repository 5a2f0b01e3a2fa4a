"""Prompt templates: ``prompts/<name>.md`` files with a ``## system`` and a ``## user`` section.

Templates are Jinja2 (strict: a missing variable is an error, not an empty string) and carry the
SHA-256 of their file, so whatever the LLM produced can name the exact prompt that asked for it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

from voicecoach.errors import ConfigError


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt file split into system and user parts, with its content hash."""

    name: str
    system: str
    user: str
    sha256: str

    @property
    def version(self) -> str:
        return f"{self.name}@{self.sha256[:12]}"

    def render(self, **variables: Any) -> tuple[str, str]:
        env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
        return (
            env.from_string(self.system).render(**variables).strip(),
            env.from_string(self.user).render(**variables).strip(),
        )


def load_prompt(prompts_dir: Path, name: str = "followup") -> PromptTemplate:
    """Read ``prompts/<name>.md``; its ``## system`` and ``## user`` sections are the messages."""
    path = Path(prompts_dir) / f"{name}.md"
    try:
        raw = path.read_bytes()
    except OSError:
        raise ConfigError(f"prompt template {path} not found (set VOICECOACH_PROMPTS)") from None
    text = raw.decode("utf-8")
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        header = line.strip().lower()
        if header in ("## system", "## user"):
            current = sections.setdefault(header[3:], [])
        elif current is not None:
            current.append(line)
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"{path}: needs a '## system' and a '## user' section")
    return PromptTemplate(
        name, "".join(sections["system"]), "".join(sections["user"]),
        hashlib.sha256(raw).hexdigest(),
    )
