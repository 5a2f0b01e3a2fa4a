"""Text normalisation shared by answers and rubric patterns, sentence splitting with offsets, and
the word lists (function words, stop words) and stemmer: the one definition of each.

Answers arrive as speech-to-text output or typed text; rubric authors write patterns by hand. Both
go through the same token pipeline, so whatever spelling the normaliser chooses for "x one minus y
one" (``x1 - y1``), "L two" (``l2``), Whisper's "how one" (``l1``) or "gene impurity" (``gini
impurity``), a pattern written either way matches an answer said either way.

Sentences keep their character offsets into the *original* text: the grader quotes evidence
verbatim from what the candidate said, never from the normalised form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from voicecoach.speech.fillers import FILLER_PHRASES, FILLER_SOUNDS

# --- character level ------------------------------------------------------------------------

_CHAR_MAP = {
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
    "\u2212": " - ", "\u2013": " , ", "\u2014": " , ",
    "\u00b2": " squared ", "\u221a": " square root ", "\u03a3": " sum ", "\u2211": " sum ",
    "\u03bb": " lambda ", "\u00d7": " times ", "\u0177": " y hat ", "\u2260": " not equal ",
}
_CHAR_RE = re.compile("|".join(map(re.escape, _CHAR_MAP)))
# a hyphen inside a word ("over-fit", "k-means", "cross-entropy") joins words, it is not a minus
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
# "like" and "you know" set off by commas are fillers ("it, like, memorises"); elsewhere they mean
_COMMA_FILLERS = re.compile(r"(^|[,.?!])\s*(?:" + "|".join(FILLER_PHRASES) + r")\s*(?=,)")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z0-9]+(?:'[a-z]+)*|[-+=/^<>(),;:]")

CLAUSE_PUNCT = frozenset({",", ";", ":"})
_DROPPED = frozenset({"(", ")"})

# --- token level ----------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": "100", "thousand": "1000", "million": "1000000"}
_OPERATORS = {"minus": "-", "plus": "+", "equals": "=", "sqrt": "square root"}
# consonants that name variables in spoken maths: "x one" -> x1, "w two" -> w2 ("a", "i" are words)
_VARIABLES = frozenset("bcdfghjklmnpqrstvwxyz")
# single-token spellings Whisper produces for domain words
_TOKEN_FIXES = {
    "genie": "gini", "jeannie": "gini", "ginny": "gini", "gini's": "gini",
    "overfeed": "overfit", "overfeeds": "overfits", "overfeeding": "overfitting",
    "overfed": "overfit", "kmean": "kmeans", "elle": "l", "el": "l", "ell": "l",
    "dont": "don't", "doesnt": "doesn't", "isnt": "isn't", "wont": "won't", "cant": "can't",
}
# two-token sequences rewritten to one or more tokens (after number words became digits)
_PAIR_FIXES: dict[tuple[str, str], tuple[str, ...]] = {
    ("how", "1"): ("l1",),  # Whisper's "How one" for "L1"
    ("gene", "impurity"): ("gini", "impurity"),
    ("gene", "index"): ("gini", "index"),
    ("gene", "coefficient"): ("gini", "coefficient"),
    ("texture", "term"): ("extra", "term"),  # Whisper's "texture" for "extra"
    ("k", "means"): ("kmeans",),
    ("k", "mean"): ("kmeans",),
    ("rel", "u"): ("relu",),
    ("real", "u"): ("relu",),
    ("^", "2"): ("squared",),
    ("square", "rooted"): ("square", "root"),
}


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer: its verbatim text, where it sits, and its normalised tokens.

    ``clauses[i]`` numbers the clause of ``tokens[i]`` (commas and clause words like "but",
    "because" start a new one), which bounds how far a negation reaches.
    """

    text: str
    start: int
    end: int
    tokens: tuple[str, ...] = field(default=())
    clauses: tuple[int, ...] = field(default=())

    @cached_property
    def positions(self) -> dict[str, tuple[int, ...]]:
        """Token -> the indexes where it occurs (what pattern matching looks words up in)."""
        index: dict[str, list[int]] = {}
        for position, token in enumerate(self.tokens):
            index.setdefault(token, []).append(position)
        return {token: tuple(found) for token, found in index.items()}


def _clean(text: str) -> str:
    lowered = _CHAR_RE.sub(lambda m: _CHAR_MAP[m.group(0)], text.lower())
    lowered = _WORD_HYPHEN.sub(" ", lowered.replace("++", " plusplus"))  # k-means++ is a name
    return _COMMA_FILLERS.sub(r"\1", lowered)


def _numbers(tokens: list[str]) -> list[str]:
    """Number words to digits: "twenty five" -> 25, "zero point five" -> 0.5."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in _TENS:
            value = _TENS[tok]
            if i + 1 < len(tokens) and tokens[i + 1] in _UNITS and 0 < _UNITS[tokens[i + 1]] < 10:
                value += _UNITS[tokens[i + 1]]
                i += 1
            out.append(str(value))
        elif tok in _UNITS:
            out.append(str(_UNITS[tok]))
        elif tok in _SCALES:
            out.append(_SCALES[tok])
        elif (
            tok == "point" and out and out[-1].isdigit()
            and i + 1 < len(tokens) and (tokens[i + 1].isdigit() or tokens[i + 1] in _UNITS)
        ):
            nxt = tokens[i + 1]
            out[-1] = f"{out[-1]}.{_UNITS.get(nxt, nxt)}"
            i += 1
        else:
            out.append(tok)
        i += 1
    return out


def _rewrite(tokens: list[str]) -> list[str]:
    """Spoken maths and known ASR spellings, one left-to-right pass."""
    tokens = [_TOKEN_FIXES.get(t, t) for t in tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        pair = _PAIR_FIXES.get((tok, nxt))
        if pair is not None:
            out.extend(pair)
            i += 2
            continue
        if tok in ("over", "under") and nxt.startswith("fit"):
            out.append(tok + nxt)  # Whisper splits "overfit" into "over fit"
            i += 2
            continue
        if tok in _VARIABLES and nxt == "sub" and i + 2 < len(tokens):
            nxt = tokens[i + 2]  # "x sub one" -> x1
            if nxt.isdigit() or nxt in ("i", "j"):
                out.append(tok + nxt)
                i += 3
                continue
        if tok in _VARIABLES and (nxt.isdigit() or nxt in ("i", "j")):
            out.append(tok + nxt)  # "x one" -> x1, "x i" -> xi
            i += 2
            continue
        out.extend(_OPERATORS.get(tok, tok).split())
        i += 1
    return out


def raw_tokens(text: str) -> list[str]:
    """Normalised tokens of a text, clause punctuation included, fillers included."""
    return _rewrite(_numbers(_TOKEN.findall(_clean(text))))


def tokens(text: str) -> list[str]:
    """Normalised tokens used for matching: no punctuation, no um/uh fillers."""
    return [
        t for t in raw_tokens(text)
        if t not in CLAUSE_PUNCT and t not in FILLER_SOUNDS and t not in _DROPPED
    ]


def normalize(text: str) -> str:
    """The normalised form as one string (for display, debugging and tests)."""
    return " ".join(tokens(text))


# --- words ----------------------------------------------------------------------------------

# Closed-class words and the commonest light verbs: what a sentence has and a list of terms lacks.
_FUNCTION_TEXT = """
    a an the this that these those it its it's they them their there there's here we you your i
    i'm me my he she his her him our us one's what which who whom whose when where why how
    is are was were be been being am isn't aren't wasn't weren't do does did doing don't doesn't
    didn't have has had having haven't hasn't will would shall should can could may might must
    won't wouldn't can't couldn't shouldn't 's 're 've 'll 'd to of in on at by for with from into
    onto about as than then so because since if unless until while whereas although though but
    and or nor not no yes also just only very too more most less much many some any all each every
    both either neither such own same other another up down out over under again further once
    get gets got getting make makes made making go goes going went want wants need needs use
    uses used using let lets like say says said mean means know think see look way thing things
    kind sort basically actually really well right okay ok yeah just like that's what's you're
    we're they're let's gonna wanna i'd i'll you'd you'll we'd we'll it'll it'd they'd that'll
    between through across after before against during within per via toward towards among
    around along behind beyond where's who's here's itself themselves yourself myself ourselves
"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
# Words that name no topic though they are not function words: what interviews are full of
# ("can you explain the idea, for example…"). Kept out of FUNCTION_WORDS, on which the salad
# guard's measured thresholds rest.
_DISCOURSE_TEXT = """
    above below bit concept else even exactly example explain few general generally hers idea
    now off probably problem something start sure tell yours
"""
# Stop words: carry no topic. The transcript importer matches questions on what is left, the
# interviewer checks that a probe does not name the answer with it.
STOP_WORDS = FUNCTION_WORDS | frozenset(_DISCOURSE_TEXT.split()) | FILLER_SOUNDS
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes kept inside words ("don't"): for comparing wordings,
    where the matching pipeline's rewrites (``tokens``) are not wanted."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def stem(word: str) -> str:
    """A crude stem so "memorises", "memorize" and "memorization" meet; only to compare."""
    word = re.sub(r"is(e|es|ed|ing|ation|ations)$", r"iz\1", word)
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# --- sentences ------------------------------------------------------------------------------

CLAUSE_WORDS = frozenset(
    {"but", "so", "because", "since", "which", "whereas", "while", "although", "though",
     "however", "unless", "then", "otherwise", "instead", "cause", "'cause"}
)
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "dr.", "mr.", "ms.", "fig.")
# a stop may carry a closing quote or bracket ('He said "stop." Then'); an unfinished sentence
# ("or\u2014") followed by a new capitalised one also ends there
_SENTENCE_END = re.compile(
    r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)|[\u2014\u2013]+(?=\s+[A-Z])|\n\s*\n|\n(?=\s*[-*\u2022])"
)


def sentence_tokens(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Matching tokens of one sentence and the clause number of each."""
    toks: list[str] = []
    clauses: list[int] = []
    clause = 0
    for tok in raw_tokens(text):
        if tok in CLAUSE_PUNCT:
            clause += 1
            continue
        if tok in FILLER_SOUNDS or tok in _DROPPED:
            continue
        if tok in CLAUSE_WORDS:
            clause += 1
        toks.append(tok)
        clauses.append(clause)
    return tuple(toks), tuple(clauses)


# A run of words without a sentence end (speech-to-text output, a typed ramble) is cut into
# windows of at most this many words: a rubric's terms must co-occur in one sentence, and terms
# hundreds of words apart do not; and every per-sentence step stays bounded, so grading time
# grows linearly with the answer. The longest real sentence in the bank's examples, the
# evaluation set and the reference interview is 83 words.
MAX_SENTENCE_WORDS = 100
_WORD_SPAN = re.compile(r"\S+")
_CUT_AFTER = frozenset(",;:")
_CUT_BEFORE = frozenset({"and", "or", "but", "so", "because", "which", "then", "whereas"})


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, surrounding white space excluded: the one
    definition of where a sentence ends (answers, transcripts, what the interviewer says)."""
    start = 0
    longest = max(map(len, _ABBREVIATIONS))
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if text[max(0, end - longest):end].lower().endswith(_ABBREVIATIONS):
            continue
        yield from _windows(text, start, end)
        start = end
    yield from _windows(text, start, len(text))


def _windows(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The span ``start..end`` stripped, cut into windows of at most MAX_SENTENCE_WORDS words:
    after a comma or before a clause word in the window's second half, else at the limit."""
    words = [(m.start(), m.end()) for m in _WORD_SPAN.finditer(text, start, end)]
    while len(words) > MAX_SENTENCE_WORDS:
        cut = MAX_SENTENCE_WORDS
        for k in range(MAX_SENTENCE_WORDS, MAX_SENTENCE_WORDS // 2, -1):
            if text[words[k - 1][1] - 1] in _CUT_AFTER or (
                text[words[k][0]:words[k][1]].lower() in _CUT_BEFORE
            ):
                cut = k
                break
        yield words[0][0], words[cut - 1][1]
        words = words[cut:]
    if words:
        yield words[0][0], words[-1][1]


def sentence_texts(text: str) -> list[str]:
    """The sentences of any text, verbatim (see :func:`split_sentences` for where they end)."""
    return [text[start:end] for start, end in _spans(text)]


def split_sentences(text: str) -> list[Sentence]:
    """Split an answer into sentences with offsets into ``text`` (evidence is quoted from it).

    Ends at ``.``, ``?``, ``!`` followed by a space (not inside "e.g." or "0.5"), at blank lines
    and at list bullets. Sentences with no word tokens (pure punctuation or fillers) are dropped.
    """
    return [s for start, end in _spans(text) if (s := sentence_at(text, start, end)).tokens]


def sentence_at(text: str, start: int, end: int) -> Sentence:
    """``text[start:end]`` as a :class:`Sentence`, tokens and clauses included (a span the
    splitter did not make, such as a chunk of a run-on, is read the same way)."""
    toks, clauses = sentence_tokens(text[start:end])
    return Sentence(text[start:end], start, end, toks, clauses)


FRAGMENT_TOKENS = 3


def merge_fragments(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """Join runs of very short sentences ("Overfitting. Noise. Depth.") into one sentence.

    A list written with full stops is still a list; joined, the guards can see it as one. The
    merged sentence's text is the verbatim span from the first fragment to the last.
    """
    merged: list[Sentence] = []
    run: list[Sentence] = []

    def flush() -> None:
        if len(run) >= 2:
            toks = tuple(t for s in run for t in s.tokens)
            clauses = tuple(i for i, s in enumerate(run) for _ in s.tokens)
            start, end = run[0].start, run[-1].end
            merged.append(Sentence(text[start:end], start, end, toks, clauses))
        else:
            merged.extend(run)
        run.clear()

    for sentence in sentences:
        if len(sentence.tokens) <= FRAGMENT_TOKENS:
            run.append(sentence)
        else:
            flush()
            merged.append(sentence)
    flush()
    return merged
