"""The recordings folder: one directory per session, written as a journal.

``session.json`` is rewritten after every turn by writing a temporary file, fsyncing it and
renaming it over the old one (atomic on POSIX), so a crash or Ctrl-C leaves either the previous or
the new complete file — never half of one. Audio lives in ``turns/NNN-question.wav`` and
``turns/NNN-answer.wav`` next to it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from voicecoach.errors import SessionError
from voicecoach.session.models import Session, utc_now

SESSION_FILE = "session.json"
_SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def validate_session_id(session_id: str) -> str:
    """Accept ids that are a single safe folder name; reject paths, '..' and odd characters."""
    if (
        not session_id
        or not _SESSION_ID.match(session_id)
        or ".." in session_id
        or os.path.isabs(session_id)
    ):
        raise SessionError(
            f"invalid session id {session_id!r}: use letters, digits, '.', '_' or '-' "
            "(no slashes, no '..', at most 128 characters)"
        )
    return session_id


def new_session_id() -> str:
    """A sortable, readable default id: the local date and time."""
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True)
class SessionListing:
    """One row of ``voicecoach sessions``; ``error`` is set for a session that cannot be read."""

    id: str
    created_at: str = ""
    status: str = ""
    questions: tuple[str, ...] = ()
    score: float | None = None
    turns: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "status": self.status,
            "questions": list(self.questions),
            "score": self.score,
            "turns": self.turns,
            "error": self.error,
        }


class SessionStore:
    """Create, save, load and list sessions under one recordings folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def session_dir(self, session_id: str) -> Path:
        return self.root / validate_session_id(session_id)

    def audio_path(
        self, session_id: str, turn_index: int, role: Literal["question", "answer"]
    ) -> Path:
        """Where a turn's audio goes: ``turns/NNN-question.wav`` / ``turns/NNN-answer.wav``."""
        return self.session_dir(session_id) / "turns" / f"{turn_index:03d}-{role}.wav"

    def exists(self, session_id: str) -> bool:
        return (self.session_dir(session_id) / SESSION_FILE).is_file()

    def create(self, session_id: str | None = None, **fields: Any) -> Session:
        """Start a new session on disk; refuses to overwrite an existing one."""
        session_id = validate_session_id(session_id or new_session_id())
        if self.exists(session_id):
            raise SessionError(
                f"session {session_id!r} already exists in {self.root}; choose another --session-id"
            )
        session = Session(id=session_id, **fields)
        (self.session_dir(session_id) / "turns").mkdir(parents=True, exist_ok=True)
        self.save(session)
        return session

    def save(self, session: Session) -> None:
        """Durably write the whole session (atomic rename)."""
        session.updated_at = utc_now()
        text = session.model_dump_json(indent=2, by_alias=True)
        atomic_write_text(self.session_dir(session.id) / SESSION_FILE, text + "\n")

    def load(self, session_id: str) -> Session:
        """Read a session; a missing or damaged file is a SessionError saying which and why."""
        path = self.session_dir(session_id) / SESSION_FILE
        if not path.is_file():
            raise SessionError(
                f"no session {session_id!r} in {self.root} (see `voicecoach sessions`)"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise SessionError(
                f"{path}: session file is damaged ({error}); the audio in turns/ is untouched"
            ) from None
        try:
            return Session.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SessionError(f"{path}: not a valid session ({where}: {first['msg']})") from None

    def ids(self) -> list[str]:
        """Ids of folders that look like sessions, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.root.iterdir()
            if entry.is_dir() and _SESSION_ID.match(entry.name) and (entry / SESSION_FILE).exists()
        )

    def list(self) -> list[SessionListing]:
        """Every session, oldest first; damaged ones are listed with their error, not skipped."""
        rows = []
        for session_id in self.ids():
            try:
                session = self.load(session_id)
            except SessionError as error:
                rows.append(SessionListing(id=session_id, error=str(error)))
                continue
            rows.append(
                SessionListing(
                    id=session.id,
                    created_at=session.created_at,
                    status=session.status,
                    questions=tuple(
                        dict.fromkeys(t.question_id for t in session.turns if t.question_id)
                    ),
                    score=session.overall_score(),
                    turns=len(session.turns),
                )
            )
        return rows
