"""Import a text interview transcript (``Speaker: text`` lines) as a graded session.

The reference format is what meeting tools export: one line per utterance, a speaker name, a
colon, the text; long answers may continue on following lines without a name, and speakers
interrupt each other. Importing turns it into the same :class:`Session` a spoken practice run
produces, so ``report``, ``replay``, ``regrade`` and ``progress`` work on it unchanged:

1. parse lines into utterances (unnamed lines continue the previous utterance);
2. walk the interviewer's utterances: a question that resembles a bank question (TF-IDF cosine
   between its question sentences and the rubric's question text and key terms) opens a
   ``question`` turn; any other question while a bank question is open is a ``followup`` probing
   it (with ``targets`` set to the key point whose probe it resembles); a question outside any
   bank question is kept as an ``unmatched`` turn; remarks without a question ("Alright.",
   a short correction) open nothing, and the candidate's next words join the current turn;
3. the request to assess oneself opens a ``self_assessment`` turn; the interviewer's next
   utterance is the closing feedback, kept in ``session.config["import"]``; anything after it
   (questions about careers) is not part of the interview and is only counted;
4. grade each bank question on everything the candidate said across its turns, build the
   summary, save with status ``imported``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach.errors import SessionError
from voicecoach.grading.grader import AnswerGrader, grade_answer
from voicecoach.grading.normalize import STOP_WORDS, sentence_texts, stem, words
from voicecoach.rubric.loader import LoadedRubric, RubricBank
from voicecoach.session.models import Session, Summarizer, Turn, TurnKind, join_texts
from voicecoach.session.store import SessionStore, new_session_id, validate_session_id
from voicecoach.speech.transcript import Transcript

# A new bank question needs at least this share of one question sentence's words (``scores``).
# Measured on the reference interview with the shared stop words (grading.normalize): the
# weakest real new question scores 0.36, the strongest follow-up mistaken for one 0.34 (a
# max-depth probe that says "fit the data").
NEW_QUESTION_THRESHOLD = 0.35
# The IDF mass a sentence must share with a rubric before its share counts (one bank-unique word).
MIN_MATCHED_WEIGHT = 2.5
# Scores within this fraction of the best count as a tie, won by the earlier question of the bank.
NEAR_TIE = 0.9
# A follow-up names the key point it probes when its similarity to that point's probe reaches this.
TARGET_THRESHOLD = 0.25

_SPEAKER_LINE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s*(.*)$")
_INTERROGATIVE = re.compile(
    r"\b(what|what's|whats|how|how's|why|when|which|who|where|do you|does|did you|can you|"
    r"could you|would you|will you|is there|are there|are you|have you|if you|and if)\b",
    re.IGNORECASE,
)
_SELF_ASSESSMENT = re.compile(
    r"how (this|the) interview went|things you did well|areas? (for|of) improvement|"
    r"assess (yourself|your own)|how did you do|"
    r"how (do|did) you (think|feel) (it|you|(this|the) interview) (went|go|did)",
    re.IGNORECASE,
)
@dataclass(frozen=True)
class Utterance:
    """One speaker's words, with the transcript line it starts on."""

    speaker: str
    text: str
    line: int


@dataclass
class DraftTurn:
    """A turn being assembled while walking the transcript."""

    kind: TurnKind
    prompt: str
    question_id: str | None = None
    targets: str | None = None
    answers: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class ImportPlan:
    """The transcript cut into turns, before grading."""

    turns: list[DraftTurn]
    self_assessment: str | None
    feedback: str | None
    skipped_after_feedback: int


def _normalise_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def parse_transcript(text: str, speakers: Sequence[str]) -> list[Utterance]:
    """Split ``Speaker: text`` lines into utterances; unnamed lines continue the previous one.

    Only the given speaker names start an utterance, so a colon inside an answer ("the ratio is
    3: 1") is never mistaken for a speaker. Lines before the first named line (a title) are skipped.
    """
    wanted = {_normalise_name(name): name for name in speakers}
    utterances: list[Utterance] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _SPEAKER_LINE.match(line)
        name = wanted.get(_normalise_name(match.group(1))) if match else None
        if match and name is not None:
            utterances.append(Utterance(name, match.group(2).strip(), number))
        elif utterances:
            last = utterances[-1]
            utterances[-1] = Utterance(last.speaker, f"{last.text} {line}".strip(), last.line)
    return utterances


def speakers_in(text: str) -> list[str]:
    """Names that start lines (``Name: ...``), most frequent first: for error messages."""
    counts = Counter(
        match.group(1).strip()
        for line in text.splitlines()
        if (match := _SPEAKER_LINE.match(line)) and len(match.group(1).split()) <= 4
    )
    return [name for name, _ in counts.most_common(6)]


def is_question(sentence: str) -> bool:
    """A sentence that asks something: ends with '?' and contains an interrogative.

    Tag questions ("It learns the noise, right?", "...pair, isn't it?") carry no interrogative
    and so do not count as questions.
    """
    return sentence.endswith("?") and bool(_INTERROGATIVE.search(sentence))


def question_sentences(text: str) -> list[str]:
    """The questions in an utterance, each with the sentence before it as context.

    Interviewers often name the topic and then ask about it by pronoun ("So you want to decrease
    the Gini impurity. Do you know the formula for that?"); the context sentence carries the topic.
    """
    parts = sentence_texts(text)
    return [
        f"{parts[i - 1]} {part}" if i > 0 else part
        for i, part in enumerate(parts)
        if is_question(part)
    ]


def tokens(text: str) -> list[str]:
    """Stemmed words that name a topic (no stop words, no single letters)."""
    return [stem(word) for word in words(text.replace("-", " ")) if word not in STOP_WORDS
            and len(word) > 1]


class QuestionMatcher:
    """TF-IDF cosine between an utterance and each rubric's question text plus key terms."""

    def __init__(self, bank: RubricBank) -> None:
        self.rubrics = bank.ordered()
        documents = [tokens(self._document(loaded)) for loaded in self.rubrics]
        doc_freq = Counter(token for doc in documents for token in set(doc))
        total = len(documents)
        self._idf = {t: math.log((1 + total) / (1 + n)) + 1.0 for t, n in doc_freq.items()}
        self._unknown_idf = math.log(1 + total) + 1.0
        self._vectors = [self._vector(doc) for doc in documents]

    @staticmethod
    def _document(loaded: LoadedRubric) -> str:
        """The text a question is recognised by: the question (twice) and its id's words."""
        rubric = loaded.rubric
        return " ".join([rubric.question, rubric.question, rubric.id, rubric.id])

    def _vector(self, words: Iterable[str]) -> dict[str, float]:
        counts = Counter(words)
        vector = {
            t: (1 + math.log(n)) * self._idf.get(t, self._unknown_idf) for t, n in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    def similarity(self, text: str, other: str) -> float:
        """Cosine similarity of two texts under the bank's IDF weights."""
        a, b = self._vector(tokens(text)), self._vector(tokens(other))
        return sum(v * b.get(t, 0.0) for t, v in a.items())

    def scores(self, text: str) -> dict[str, float]:
        """How much of ``text`` each rubric explains: the IDF-weighted share of its distinct
        words found in the rubric's document (0-1), by question id.

        Unlike a cosine, this does not penalise a rubric for a long question text, so two
        rubrics that both contain "neural network" tie, and the tie goes to the earlier one.
        """
        words = set(tokens(text))
        weights = {t: self._idf.get(t, self._unknown_idf) for t in words}
        total = sum(weights.values()) or 1.0
        scores = {}
        for loaded, other in zip(self.rubrics, self._vectors, strict=True):
            matched = sum(w for t, w in weights.items() if t in other)
            # one common word ("choose") is not a topic; one rare one ("backpropagate") is
            scores[loaded.id] = matched / total if matched >= MIN_MATCHED_WEIGHT else 0.0
        return scores

    def best(self, text: str) -> tuple[str | None, float, dict[str, float]]:
        """The best-matching rubric for one question sentence: (id, score, all scores)."""
        scores = self.scores(text)
        if not scores:
            return None, 0.0, {}
        top = max(scores.values())
        # near-ties go to the question that comes first in a natural interview
        question_id = next(
            loaded.id for loaded in self.rubrics if scores[loaded.id] >= top * NEAR_TIE
        )
        return question_id, scores[question_id], scores

    def new_question(self, asks: Sequence[str], current: str | None, asked: set[str]) -> str | None:
        """The not-yet-asked bank question these question sentences open, if any.

        The last sentence that clearly names a topic decides (interviewers recap, then ask): it
        opens question Q when Q matches it best, above the threshold, clearly better than the
        question already open, and Q was not asked before.
        """
        for sentence in reversed(asks):
            best_id, best_score, scores = self.best(sentence)
            if best_id is None or best_score < NEW_QUESTION_THRESHOLD:
                continue
            current_score = scores.get(current, 0.0) if current else 0.0
            if best_id not in asked and best_score > current_score * 1.25:
                return best_id
            return None
        return None

    def target(self, loaded: LoadedRubric, text: str) -> str | None:
        """The key point whose probe or description a follow-up resembles, if any clearly."""
        best_id, best_score = None, 0.0
        for point in loaded.rubric.key_points:
            reference = f"{point.probe or ''} {point.description}"
            score = self.similarity(text, reference)
            if score > best_score:
                best_id, best_score = point.id, score
        return best_id if best_score >= TARGET_THRESHOLD else None


def plan_turns(utterances: Sequence[Utterance], interviewer: str, bank: RubricBank) -> ImportPlan:
    """Cut the conversation into turns: bank questions, their follow-ups, unmatched questions."""
    matcher = QuestionMatcher(bank)
    turns: list[DraftTurn] = []
    asked: set[str] = set()
    current: str | None = None  # open bank question
    self_assessment: DraftTurn | None = None
    feedback: str | None = None
    skipped = 0

    for utterance in utterances:
        if feedback is not None:
            skipped += 1
            continue
        if utterance.speaker != interviewer:
            if turns:
                turns[-1].answers.append(utterance.text)
            continue
        if self_assessment is not None and self_assessment.answers:
            feedback = utterance.text
            continue
        if _SELF_ASSESSMENT.search(utterance.text):
            self_assessment = DraftTurn("self_assessment", utterance.text, line=utterance.line)
            turns.append(self_assessment)
            current = None
            continue
        asks = question_sentences(utterance.text)
        if not asks:
            continue  # a remark or short correction: the candidate's reply joins the current turn
        opened = matcher.new_question(asks, current, asked)
        if opened is not None:
            current = opened
            asked.add(opened)
            turns.append(DraftTurn("question", utterance.text, opened, line=utterance.line))
        elif current is not None:
            target = matcher.target(bank[current], " ".join(asks))
            turns.append(
                DraftTurn("followup", utterance.text, current, target, line=utterance.line)
            )
        else:
            turns.append(DraftTurn("unmatched", utterance.text, line=utterance.line))
    answer = " ".join(self_assessment.answers) if self_assessment else None
    return ImportPlan(turns, answer or None, feedback, skipped)


def build_session(
    session_id: str,
    plan: ImportPlan,
    bank: RubricBank,
    *,
    source: Path,
    interviewer: str,
    candidate: str,
    grader: AnswerGrader = grade_answer,
) -> Session:
    """Turn the plan into a graded session (not yet saved); the grade sits on each question's
    last turn, like a live session's final grade, and grades what :meth:`Session.answer` joins
    (so a regrade with the same bank changes nothing)."""
    turns = [
        Turn(
            index=index,
            kind=draft.kind,
            question_id=draft.question_id,
            prompt=draft.prompt,
            targets=draft.targets,
            policy="imported",
            answer=Transcript.from_text(join_texts(draft.answers)) if draft.answers else None,
        )
        for index, draft in enumerate(plan.turns)
    ]
    import_info: dict[str, Any] = {
        "source": str(source),
        "interviewer": interviewer,
        "candidate": candidate,
        "interviewer_feedback": plan.feedback,
        "utterances_after_feedback": plan.skipped_after_feedback,
        "rubrics_dir": str(bank.source) if bank.source else None,
    }
    questions = list(dict.fromkeys(t.question_id for t in turns if t.question_id))
    session = Session(
        id=session_id,
        status="imported",
        candidate=candidate,
        config={"import": import_info},
        questions=questions,
        turns=turns,
        self_assessment=plan.self_assessment,
    )
    for question_id, question_turns in session.turns_by_question().items():
        question_turns[-1].grade = grade = grader(bank[question_id], session.answer(question_id))
        session.config["grader"] = grade.provenance.grader
    return session


def import_transcript(
    path: Path,
    store: SessionStore,
    bank: RubricBank,
    *,
    interviewer: str,
    candidate: str,
    session_id: str | None = None,
    grader: AnswerGrader = grade_answer,
    summarizer: Summarizer,
) -> Session:
    """Read, segment, grade, summarise (``summarizer``: the feedback layer's, passed down) and
    save a transcript; return the saved session."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SessionError(f"{path}: cannot read transcript ({error})") from None
    utterances = parse_transcript(text, [interviewer, candidate])
    found = {u.speaker for u in utterances}
    for role, name in (("interviewer", interviewer), ("candidate", candidate)):
        if name not in found:
            names = ", ".join(repr(n) for n in speakers_in(text)) or "none"
            raise SessionError(
                f"{path}: no lines by {role} {name!r}; speakers found: {names} "
                "(lines look like 'Name: text')"
            )
    plan = plan_turns(utterances, interviewer, bank)
    if not any(turn.kind == "question" for turn in plan.turns):
        raise SessionError(
            f"{path}: none of the interviewer's questions resembles a question of the bank "
            f"in {bank.source}; nothing to grade"
        )
    chosen = validate_session_id(session_id or f"import-{new_session_id()}")
    if store.exists(chosen):
        raise SessionError(
            f"session {chosen!r} already exists in {store.root}; choose another --id"
        )
    session = build_session(
        chosen, plan, bank, source=Path(path), interviewer=interviewer, candidate=candidate,
        grader=grader,
    )
    session.summary = summarizer(session, bank)
    store.save(session)
    return session
