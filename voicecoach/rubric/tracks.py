"""Practice tracks and multi-stage design cases: which questions belong together.

A track is a focus a candidate can practise (``voicecoach practice --track NAME``); a rubric lists
its tracks in ``tracks``, and a rubric without any is simply untracked (still asked when no track
is chosen). The reference track is the reference interview itself, asked in its ``order``.

A design case is a set of rubrics sharing ``case``, one per ``stage`` (framing, label, training
row, ... serving), ordered by ``order``. Later stages only make sense after the earlier answers
("Now, what's the label?"), so in the design track a case is asked as one block from its first
stage; elsewhere only its framing stage is asked, as a standalone practical question (like the
reference interview's last question).
"""

from __future__ import annotations

from collections import Counter

from voicecoach.errors import ConfigError
from voicecoach.rubric.loader import LoadedRubric, RubricBank

REFERENCE_TRACK = "reference"
DESIGN_TRACK = "ml-system-design"
# the tracks the product promises; rubrics may add more
KNOWN_TRACKS: tuple[str, ...] = ("ml-fundamentals", "deep-learning", DESIGN_TRACK, REFERENCE_TRACK)
FRAMING_STAGE = "framing"

# One question, or a design case's stages in order: asked together, never split across sessions'
# choices except by cutting the tail when fewer questions are wanted.
Unit = tuple[LoadedRubric, ...]


def track_counts(bank: RubricBank) -> dict[str, int]:
    """Questions per track: the promised tracks (possibly 0) and any other a rubric names."""
    counts: Counter[str] = Counter({track: 0 for track in KNOWN_TRACKS})
    for loaded in bank.values():
        counts.update(set(loaded.rubric.tracks))
    return dict(sorted(counts.items()))


def describe_tracks(bank: RubricBank) -> str:
    """``deep-learning (18), ml-fundamentals (40), ...`` for error messages."""
    return ", ".join(f"{track} ({count})" for track, count in track_counts(bank).items())


def track_rubrics(bank: RubricBank, track: str) -> list[LoadedRubric]:
    """A track's rubrics in interview order; an unknown or empty track names the known ones."""
    pool = [loaded for loaded in bank.ordered() if track in loaded.rubric.tracks]
    if pool:
        return pool
    if track in KNOWN_TRACKS:
        raise ConfigError(
            f"track {track!r} has no questions in this bank yet (no rubric lists it in "
            f"'tracks'); tracks: {describe_tracks(bank)}"
        )
    raise ConfigError(f"unknown track {track!r}; tracks: {describe_tracks(bank)}")


def units(pool: list[LoadedRubric], *, blocks: bool) -> list[Unit]:
    """Group a pool (in interview order) into what is asked together, in interview order.

    ``blocks``: each design case becomes one unit of its stages in order (the design track).
    Otherwise a case contributes only its framing stage, the one that stands alone. A case with
    no framing stage is never asked: its first question would refer to a problem never posed
    (``rubrics lint`` reports it).
    """
    cases: dict[str, list[LoadedRubric]] = {}
    result: list[Unit | str] = []  # a str marks where a case's block goes
    for loaded in pool:
        case = loaded.rubric.case
        if not case:
            result.append((loaded,))
        elif blocks:
            if case not in cases:
                result.append(case)
            cases.setdefault(case, []).append(loaded)
        elif loaded.rubric.stage == FRAMING_STAGE:
            result.append((loaded,))
    return [
        tuple(cases[item]) if isinstance(item, str) else item
        for item in result
        if not isinstance(item, str) or any(r.rubric.stage == FRAMING_STAGE for r in cases[item])
    ]
