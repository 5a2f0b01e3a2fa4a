"""The candidate's moves: replies that are requests, not answers ("can you repeat that?").

A real interviewer hears "sorry, can you repeat that?", "let me think", "I don't know" or "can we
skip this one" for what they are and answers them (the question again, patience, a hint, the next
question) instead of grading them. This module only *recognises* a move in a transcript, before
any grading, for typed, scripted and spoken answers alike; how the interviewer answers it is the
agent's business (``voicecoach.agent.replies``).

Recognition is a table of phrasings per move, written in the rubric pattern syntax authors already
know (see ``rubric.schema``), but *ordered and contiguous*: a phrase is a space-separated list of
terms that must follow each other, a term lists alternatives with ``|``, joins a multi-word
alternative with ``_``, ends with ``?`` when it is optional, and ``X`` stands for what a
clarification asks about (1 to 6 words). Phrases and answers go through the same normaliser as
grading (``grading.normalize.tokens``), so "I dont know", "one second" and Whisper's unpunctuated
"sorry can you repeat that" all match.

A reply is a move only when the move's phrases and a few courtesy words ("sorry", "oh",
"please") account for all of it: whatever is left must be stop words (the one list,
``grading.normalize.STOP_WORDS``). "I don't know exactly, but it's the mean of its points"
leaves content words, so it is an answer and is graded as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Literal

from pydantic import BaseModel, Field

from voicecoach.grading.normalize import STOP_WORDS, tokens

MoveKind = Literal["repeat", "clarify", "think", "dont_know", "skip", "end"]
# when one reply holds several moves ("I don't know, can you repeat it?"), the first kind wins
PRIORITY: tuple[MoveKind, ...] = ("end", "skip", "repeat", "clarify", "dont_know", "think")
MAX_SUBJECT_WORDS = 6
MAX_ALONE_WORDS = 6  # "What's the what, sorry?" is a request; a longer reply is an answer

_THAT = "that|it|this|the_question|your_question|the_last_part|what_you_said|the_last_bit"
_TIME = "second|sec|moment|minute|bit|while"

PHRASES: dict[MoveKind, tuple[str, ...]] = {
    "repeat": (
        f"can|could|would|will you please? repeat|rephrase|reword|restate {_THAT}? again? please?",
        f"can|could|would|will you please? say|ask|read {_THAT} again|one_more_time|louder|slower",
        f"please? repeat {_THAT}? again? please?",
        f"say|ask|read {_THAT} again|one_more_time",
        "what|what's|what_is|what_was the_question|your_question again?",
        "what did|do you say|ask X?",
        "what was that again?",
        f"i didn't|did_not|couldn't|could_not|can't|cannot catch|hear|get|understand {_THAT}|you",
        f"i missed {_THAT}",
        "come_again|pardon|pardon_me|excuse_me",
        "one_more_time please?",
    ),
    "clarify": (
        "what do|did you mean by? X?",
        "what does|do X mean",
        "what is|what's meant by X",
        "do|did you mean X",
        "how do you mean",
        "in what sense",
        "i'm|i_am? not sure|certain what you mean|mean_by X?",
        f"can|could you please? clarify|explain|elaborate|expand {_THAT}|what_you_mean? on? "
        f"{_THAT}?",
        "what kind|sort|type of answer|detail are_you_looking_for|do_you_want|do_you_expect?",
        "how much detail|depth do_you_want|should_i_give|should_i_go_into|are_you_looking_for?",
    ),
    "think": (
        f"let_me|lemme|let's|lets think|see|recall|remember|consider about|of? {_THAT}|here? "
        f"for? a|1? {_TIME}?",
        f"give|gimme me? a|1 {_TIME}",
        f"just? a|1 {_TIME} please?",
        "hold|hang on",
        "i? need|i'd_need to think",
        f"i? need a|1|some {_TIME}|time",
        "i'm|i_am? thinking",
        "that's|that_is? a? good|great|tough|hard question",
        "let_me gather|collect my thoughts",
        "bear with me",
        "how do|should|can i put|say this|it|that",
        "where do|should i start|begin",
        "wait",
    ),
    "dont_know": (
        "i? don't|can't|cannot|do_not know? how to explain|say|put|describe it|this|that",
        "i? really|honestly? don't|do_not|didn't|did_not really? know|remember|recall "
        "the_answer|the_formula|that_one|this_one|the_details|that|this|it? exactly|offhand?",
        "dunno|idk",
        "i_have|i've|i've_got|got? no|not_a idea|clue what|how|why|about? X?",
        "not off|on|from the top of my head",
        "i'm|i_am? not sure|certain",
        "i'm_unsure|unsure",
        "i can't|cannot|couldn't|could_not remember|recall|say|tell",
        "i forgot|forget",
        "i'm|i_am? blanking|drawing_a_blank",
        "my mind went|is blank",
        "i've|i_have never heard|seen|learned|learnt|come_across|used of? X?",
        "i'm|i_am? not familiar with X?",
        "i have|i've|i've_got|got nothing|no_answer",
        "i give up",
        "beats me",
    ),
    "skip": (
        "can|could|may|shall we|i skip|pass this|that|it? one|question?",
        "skip|pass this|that|it? one|question? please?",
        "next question|one please?",
        "let's|can_we|could_we|we_can move|go on to? the? next? one|question?",
        "i'll|i'd|i_will|i_would rather? pass|skip",
    ),
    "end": (
        "let's|can_we|could_we|i_want_to|i'd_like_to|i_need_to|i_would_like_to|we_can|please? "
        "stop|end|finish|quit|wrap_up|wrap_it_up the_interview|the_session|here|now|this|it? "
        "here|now|for_today?",
        "end|stop|finish|quit the_interview|the_session|the_practice",
        "i'm|i_am done for_today|for_now",
        "that's|that_is enough for_today|for_now",
        "quit|exit|goodbye|bye",
    ),
}
# clarifications about how to answer, not what ("do you want me to type it or say it?")
FORMAT_PHRASES: tuple[str, ...] = (
    "do|should|shall|can|could|may i type|write|say|speak|draw|code it|this|that|the_formula|"
    "the_answer? out|down|out_loud?",
    "do|would you want|like|prefer me to? type|write|say|speak|draw|code it|this|that|"
    "the_formula|the_answer? out|down|out_loud?",
    "say|speak it|this? out_loud|aloud",
)
# words that make a short reply of function words a move ("Sorry?", "What's the what, sorry?")
ALONE: dict[str, MoveKind] = {
    "sorry": "repeat", "what": "repeat", "what's": "repeat", "huh": "repeat", "pardon": "repeat",
    "repeat": "repeat", "no": "dont_know", "nope": "dont_know",
    "pass": "skip", "skip": "skip", "next": "skip", "stop": "end",
}
# courtesy and hesitation words that may surround a move without making it an answer
COURTESY = frozenset({
    "sorry", "oh", "yep", "please", "hey", "alright", "honestly", "hm", "gosh", "man", "oops",
    "pardon", "sir", "maybe", "guess",
})


@dataclass(frozen=True)
class MoveMatch:
    """A recognised move: its kind, the words that made it one, and what it asks about."""

    kind: MoveKind
    phrase: str  # the normalised words matched, e.g. "can you repeat that"
    subject: str | None = None  # "max depth" in "what do you mean by max depth?"
    format: bool = False  # "do you want me to type it or say it?"


class MoveRecord(BaseModel):
    """A move as stored on the turn it interrupted: never graded, always kept."""

    kind: MoveKind
    text: str = Field(description="what the candidate said, verbatim")
    subject: str | None = None
    reply: str = Field("", description="what the interviewer said back ('' = waited)")
    audio: str | None = Field(None, description="the move's recording, relative to the session")
    at: str = Field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0).isoformat())


def _norm(text: str) -> str:
    return " ".join(tokens(text))


def _alternatives(term: str) -> str:
    alts = []
    for alt in term.split("|"):
        words = _norm(alt.replace("_", " "))
        if words:
            alts.append(re.escape(words).replace(r"\ ", " "))
    return "(?:" + "|".join(sorted(alts, key=len, reverse=True)) + ")"


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """One phrase of the table as a regex over normalised, space-joined tokens."""
    parts = []
    for term in phrase.split():
        optional = term.endswith("?")
        term = term.rstrip("?")
        if term == "X":
            body = rf"(?P<subject>(?:\S+ ){{1,{MAX_SUBJECT_WORDS}}})"
        else:
            body = f"{_alternatives(term)} "
        parts.append(f"(?:{body})?" if optional else body)
    return re.compile(r"(?:(?<= )|^)" + "".join(parts))


@cache
def _table() -> tuple[tuple[MoveKind, re.Pattern[str], bool], ...]:
    """(kind, compiled phrase, is a format question), in matching order: earlier phrases take
    their words first."""
    compiled: list[tuple[MoveKind, re.Pattern[str], bool]] = [
        ("clarify", compile_phrase(phrase), True) for phrase in FORMAT_PHRASES
    ]
    for kind, phrases in PHRASES.items():
        compiled.extend((kind, compile_phrase(phrase), False) for phrase in phrases)
    return tuple(compiled)


def _leftover_is_empty(words: list[str]) -> bool:
    return all(w in COURTESY or w in STOP_WORDS for w in words)


def recognise(text: str) -> MoveMatch | None:
    """The move ``text`` makes, or None when it is (or contains) an answer to grade."""
    if not re.search(r"\w", text):
        return None  # nothing said: not a move (silence is handled where it is recorded)
    norm = _norm(text)
    if not norm:
        return MoveMatch("think", "")  # only "hmm", "um": still thinking
    padded = norm + " "
    found: list[MoveMatch] = []
    for kind, pattern, fmt in _table():
        while (match := pattern.search(padded)) is not None and match.end() > match.start():
            subject = match.groupdict().get("subject")
            found.append(MoveMatch(kind, match.group().strip(),
                                   subject.strip() if subject else None, fmt))
            padded = padded[: match.start()] + "| " + padded[match.end():]
    left = [w for w in padded.split() if w != "|"]
    if not found:
        if len(left) <= MAX_ALONE_WORDS and _leftover_is_empty(left):
            kinds = [ALONE[w] for w in left if w in ALONE]
            if kinds:
                kind = min(kinds, key=PRIORITY.index)
                return MoveMatch(kind, norm)
        return None
    if not _leftover_is_empty(left):
        return None
    return min(found, key=lambda m: PRIORITY.index(m.kind))
