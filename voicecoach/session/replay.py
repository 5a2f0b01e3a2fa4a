"""Walk a recorded session turn by turn: what was asked, what was answered (with word timings),
how it was graded — optionally beside what the current rubric says now.

Audio is a bonus, never a requirement: a missing or unreadable WAV, no sound device or
``--no-audio`` each cost one dim line of text, and the replay goes on. When stdin is not a
terminal (a pipe, a test, CI) nothing waits for keys: every turn is printed in one go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from voicecoach.errors import SessionError, VoicecoachError
from voicecoach.grading.grader import AnswerGrader, grade_answer
from voicecoach.grading.models import Grade
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Session, Turn, combined_answer, latest_grade
from voicecoach.speech.transcript import Transcript

LEVEL_STYLE = {"strong": "green", "partial": "yellow", "weak": "red"}
STATUS_MARK = {"covered": "[green]✓[/]", "partial": "[yellow]~[/]", "missing": "[red]✗[/]",
               "contradicted": "[red]✗![/]"}
WORDS_PER_LINE = 12
PAUSE_BREAK = 1.0  # seconds of silence that start a new timestamped line


def timestamped_lines(transcript: Transcript) -> list[str]:
    """The answer as lines ``[mm:ss.s] words…``, broken every few words or at a pause."""
    if not transcript.words:
        return [transcript.text] if transcript.text.strip() else []
    lines: list[str] = []
    current: list[str] = []
    start = transcript.words[0].start
    previous_end = start
    for word in transcript.words:
        pause = word.start - previous_end
        if current and (len(current) >= WORDS_PER_LINE or pause >= PAUSE_BREAK):
            lines.append(f"[{_clock(start)}] {' '.join(current)}")
            current, start = [], word.start
        current.append(word.word.strip())
        previous_end = word.end
    if current:
        lines.append(f"[{_clock(start)}] {' '.join(current)}")
    return lines


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


@dataclass
class AudioPlayer:
    """Plays turn audio in the background; after the first device failure it stops trying."""

    enabled: bool
    notes: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self, paths: Sequence[Path], say: Callable[[str], None]) -> None:
        """Play ``paths`` one after the other without blocking; problems become one line each."""
        self.stop()
        if not self.enabled:
            return
        clips = []
        for path in paths:
            if not path.is_file():
                say(f"audio missing: {path.name} (transcript only)")
                continue
            try:
                from voicecoach.audio.clip import AudioClip

                clips.append(AudioClip.load(path))
            except ImportError:
                self._disable(say, "audio playback is not installed; showing text only")
                return
            except Exception as error:  # a corrupt WAV must not end the replay
                say(f"audio unreadable: {path.name} ({error}); transcript only")
        if not clips:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._play, args=(clips, say), daemon=True)
        self._thread.start()

    def _play(self, clips: list[Any], say: Callable[[str], None]) -> None:
        try:
            from voicecoach.audio.playback import play

            for clip in clips:
                if self._stop.is_set():
                    return
                play(clip, stop=self._stop)
        except (ImportError, VoicecoachError, OSError) as error:
            self._disable(say, f"no audio playback ({error}); showing text only")
        except Exception as error:  # PortAudio errors and the like
            self._disable(say, f"no audio playback ({type(error).__name__}: {error})")

    def _disable(self, say: Callable[[str], None], message: str) -> None:
        if self.enabled:
            self.enabled = False
            say(message)

    def stop(self) -> None:
        """Stop whatever is playing and wait for the player to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None


def _grade_table(recorded: Grade | None, current: Grade | None) -> Table:
    """Key points with evidence; with ``current``, recorded and current verdicts side by side."""
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("key point")
    table.add_column("recorded")
    if current is not None:
        table.add_column("current rubric")
    table.add_column("evidence")
    recorded_points = {p.id: p for p in recorded.key_points} if recorded else {}
    current_points = {p.id: p for p in current.key_points} if current else {}
    for point_id in dict.fromkeys([*recorded_points, *current_points]):
        old, new = recorded_points.get(point_id), current_points.get(point_id)
        was = STATUS_MARK.get(old.status, "—") + f" {old.status}" if old else "—"
        cells: list[str | Text] = [point_id, was]
        if current is not None:
            mark = STATUS_MARK.get(new.status, "—") + f" {new.status}" if new else "—"
            if old and new and old.status != new.status:
                mark = f"[bold]{mark}[/] ←"
            cells.append(mark)
        evidence = (new.evidence if new and new.evidence else old.evidence if old else "") or ""
        cells.append(Text(f'"{evidence}"' if evidence else "", style="italic"))
        table.add_row(*cells)
    return table


def _level(grade: Grade | None) -> str:
    if grade is None:
        return "—"
    return f"[{LEVEL_STYLE.get(grade.level, 'white')}]{grade.level}[/] {grade.score:.0f}"


def show_turn(
    console: Console,
    session: Session,
    turn: Turn,
    *,
    current: Grade | None,
    show_current: bool,
) -> None:
    """Print one turn: prompt, timestamped answer, grade (and the current rubric's grade)."""
    label = turn.question_id or turn.kind
    console.rule(f"[bold]turn {turn.index}[/] · {turn.kind} · {label}")
    console.print(Text("Interviewer: ", style="bold cyan") + Text(turn.prompt))
    if turn.answer is None or not turn.answer.text.strip():
        console.print(Text("(no answer recorded)", style="dim"))
    else:
        console.print(Text("Candidate:", style="bold magenta"))
        for line in timestamped_lines(turn.answer):
            console.print(Text("  " + line))
    recorded = latest_grade(turn)
    if recorded is None and not show_current:
        return
    if recorded is not None or current is not None:
        when = " (latest regrade)" if turn.regrades else ""
        heading = f"grade{when}: {_level(recorded)}"
        if show_current:
            heading += f"   current rubric: {_level(current)}"
        console.print(heading)
        console.print(_grade_table(recorded, current if show_current else None))
        for grade in (recorded, current if show_current else None):
            for hit in grade.misconceptions if grade else []:
                console.print(f'  ⚠ {hit.id}: "{hit.evidence}" → {hit.correction}')


def _current_grades(
    session: Session, bank: RubricBank | None, grader: AnswerGrader
) -> dict[int, Grade]:
    """The current rubric's grade for each graded turn: the question's answer up to that turn."""
    grades: dict[int, Grade] = {}
    if bank is None:
        return grades
    so_far: dict[str, list[Turn]] = {}
    for turn in session.turns:
        if not turn.question_id:
            continue
        so_far.setdefault(turn.question_id, []).append(turn)
        if turn.grade is not None and turn.question_id in bank:
            answer = combined_answer(so_far[turn.question_id])
            grades[turn.index] = grader(bank[turn.question_id], answer)
    return grades


def replay_session(
    session: Session,
    session_dir: Path,
    console: Console,
    *,
    turn: int | None = None,
    audio: bool = True,
    interactive: bool = False,
    bank: RubricBank | None = None,
    grader: AnswerGrader = grade_answer,
    read_key: Callable[[], str] = input,
) -> int:
    """Replay ``session``; return how many turns were shown.

    ``bank`` given means ``--regrade``: each graded turn also shows the current rubric's grade.
    """
    turns = session.turns
    if turn is not None:
        turns = [t for t in session.turns if t.index == turn]
        if not turns:
            raise SessionError(
                f"session {session.id!r} has no turn {turn} (turns 0–{len(session.turns) - 1})"
            )
    console.print(
        f"[bold]Session {session.id}[/] · {session.created_at[:16].replace('T', ' ')} · "
        f"{session.status} · {len(session.turns)} turns"
    )

    def say(message: str) -> None:
        console.print(Text(message, style="dim"))

    if not audio:
        say("audio off (--no-audio): showing text only")
    elif not interactive:
        say("stdin is not a terminal: printing every turn, audio not played")
    player = AudioPlayer(enabled=audio and interactive)
    current = _current_grades(session, bank, grader)
    shown = 0
    try:
        for item in turns:
            paths = [
                session_dir / rel for rel in (item.question_audio, item.answer_audio) if rel
            ]
            show_turn(
                console,
                session,
                item,
                current=current.get(item.index),
                show_current=bank is not None,
            )
            shown += 1
            player.start(paths, say)
            if interactive:
                last = item is turns[-1]
                console.print(
                    Text("Enter: finish" if last else "Enter: next turn · q: quit", style="dim")
                )
                key = read_key().strip().lower()
                player.stop()
                if key == "q":
                    break
    finally:
        player.stop()
    return shown
