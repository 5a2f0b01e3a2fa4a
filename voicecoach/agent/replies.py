"""How the interviewer answers a candidate's move, the way the reference interviewer did.

He repeated the question when asked, said one line when asked what he meant ("You can say it out
loud"), waited when the candidate said "let me think here", and after "not off the top of my head"
gave the binary cross-entropy formula in two sentences and moved on. So:

* repeat: the question (the last thing asked) again, verbatim;
* clarify: the rubric's one-line ``clarify`` (or, for "type it or say it?", how to answer);
  without one, the question again;
* think: nothing at all, wait for more;
* don't know: at most one ``hint`` per question, on the question itself; after that, or on a
  follow-up, or with no hint written, the rubric's ``teach`` and the next question;
* skip and end: what the ``/skip`` and ``/quit`` commands do.

Nothing here is graded; the interviewer records every move on the turn it interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from voicecoach.rubric.loader import LoadedRubric
from voicecoach.session.moves import MoveMatch

Then = Literal["listen", "next", "skip", "end"]
FORMAT_REPLY = "Either is fine: answer in whatever way is easiest for you."
SKIP_REPLY = "Sure, let's move on."


@dataclass(frozen=True)
class MoveContext:
    """What the reply depends on besides the move itself."""

    loaded: LoadedRubric | None  # the bank question being asked (None for the self-assessment)
    asked: str  # what the interviewer said last (the question or a follow-up)
    on_followup: bool  # the move interrupts a follow-up, not the question itself
    hinted: bool  # a hint was given on this question already


@dataclass(frozen=True)
class MoveReply:
    """What to say (may be empty: patience) and what to do after saying it."""

    say: str
    then: Then
    hint: bool = False  # this reply is the question's one hint


def reply_to(move: MoveMatch, context: MoveContext) -> MoveReply:
    """The reference interviewer's response to ``move``."""
    rubric = context.loaded.rubric if context.loaded is not None else None
    if move.kind == "repeat":
        return MoveReply(context.asked, "listen")
    if move.kind == "clarify":
        if move.format:
            return MoveReply(FORMAT_REPLY, "listen")
        if rubric is not None and rubric.clarify and not context.on_followup:
            return MoveReply(rubric.clarify, "listen")
        return MoveReply(context.asked, "listen")
    if move.kind == "think":
        return MoveReply("", "listen")
    if move.kind == "dont_know":
        if rubric is None:
            return MoveReply("", "listen")
        if rubric.hint and not context.hinted and not context.on_followup:
            return MoveReply(rubric.hint, "listen", hint=True)
        return MoveReply(rubric.teach, "next")
    if move.kind == "skip":
        return MoveReply(SKIP_REPLY, "skip")
    return MoveReply("", "end")
