"""Closing feedback in the reference interviewer's shape, built from a session's grades and moves.

He closed with a verdict against a bar ("borderline… one of the better interviews"), answered the
candidate's own self-assessment, named two or three gaps with the idea behind each (the binary
cross-entropy formula in a sentence), and gave one concrete way to practise (train models and
watch over- and underfitting happen). So, per session:

* a **verdict** against a bar, from the mean score of every question asked (one the candidate
  did not know or skipped counts as zero: "I don't know" earns nothing);
* the **self-assessment** acknowledged and compared with the grades, topic by topic where the
  candidate named topics ("you were worried about trees, but that was one of your strongest");
* at most three **strengths**, by topic, each with a verbatim quote (a topic can hold a strength
  and a gap: "k-means was strong, Euclidean distance needs work");
* at most three **gaps**, by topic, each with the correct idea in a sentence (the rubric's
  ``teach``, or the correction of a serious misconception). Theory and practice are judged apart,
  as the reference interviewer did: a design question that fell short always takes one slot;
* one or two concrete **practice actions**, tied to those gaps.

Everything else (every key point with its evidence) stays in the report, below this summary.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from voicecoach.grading.models import Grade
from voicecoach.grading.normalize import split_sentences, tokens
from voicecoach.grading.patterns import first_match
from voicecoach.rubric.loader import LoadedRubric, RubricBank
from voicecoach.session.models import Session, SessionSummary, SummaryItem

BAR = "an ML engineer role"
# (minimum overall score, verdict); the reference interview (69) is "borderline"
VERDICTS: tuple[tuple[float, str], ...] = (
    (80, "Overall this was above the bar for {bar}: solid answers with few gaps."),
    (60, "Overall this was borderline for {bar}: good on most concepts, with a few gaps to "
         "close."),
    (35, "Overall this was below the bar for {bar} for now: some concepts are there, but "
         "several answers fell short."),
    (0, "Overall this was well below the bar for {bar}: the fundamentals need work first."),
)
MAX_STRENGTHS = MAX_GAPS = 3
MAX_PRACTICE = 2
MAX_QUOTE_WORDS = 24
PRACTICAL_TRACKS = frozenset({"ml-system-design"})
# concrete practice per topic, in the reference interviewer's "learn by doing" spirit
PRACTICE: dict[str, str] = {
    "overfitting": "Train a small model yourself, sweep its complexity (tree depth, number of "
                   "layers) and plot training against validation error until you see overfitting "
                   "and underfitting happen; then add an L2 penalty and watch the gap shrink.",
    "losses": "Write binary cross-entropy and mean squared error in a few lines of NumPy, "
              "compute both for a handful of predictions, and see which mistakes each punishes "
              "most.",
    "ml-design": "Take a product you use, such as a shop's front page, and write down how you "
                 "would frame it as supervised learning: the label, one row of training data, "
                 "the user and item features, and how you would rank.",
    "trees": "Fit a decision tree at several max depths on a small dataset, work out the Gini "
             "impurity of one split by hand, and compare training and test accuracy.",
    "clustering": "Code k-means from scratch on 2-D points (assign to the nearest centroid, move "
                  "it to the mean) and plot the centroids after each step.",
    "neural-networks": "Train a small network, vary its number of layers, and follow one batch "
                       "through the forward pass, the loss, the backward pass and the update.",
    "optimization": "Write gradient descent for linear regression by hand, try a few learning "
                    "rates and a decaying schedule, and plot the loss curves side by side.",
    "fundamentals": "List five ML problems you know and, for each, say out loud whether it is "
                    "supervised or unsupervised and what the label would be.",
}
GENERIC_PRACTICE = ("Answer the {label} question again from memory, out loud and in under a "
                    "minute, then check it against the idea above.")
# how a self-assessment sentence judges itself
_DOUBT = re.compile(
    r"\b(lack|weak|need(s|ed)? to|brush up|work on|struggl|unsure|not (very )?(good|strong|sure)|"
    r"didn't|did not|bad|poor|rusty|forgot|improve|review|missing|messed|nervous|worr)", re.I)
# "X went well but I need to review Y" judges X and Y apart
_CLAUSE_BREAK = re.compile(r"\s*(?:[;:]|,?\s+\b(?:but|although|though|however|whereas|while|"
                           r"yet)\b)\s*", re.I)
_PRIDE = re.compile(r"\b(went (well|ok|fine|great)|did (well|ok|fine)|good|strong|confident|"
                    r"comfortable|solid|nailed|knew|strength)", re.I)


@dataclass(frozen=True)
class Outcome:
    """How one asked question went: its grade, or nothing when the candidate did not answer."""

    loaded: LoadedRubric
    grade: Grade | None  # None: not answered (don't know, skipped)

    @property
    def score(self) -> float:
        return self.grade.score if self.grade is not None else 0.0

    @property
    def strong(self) -> bool:
        return self.grade is not None and self.grade.level == "strong"


def label(question_id: str) -> str:
    """A question's id as words ("max-depth" → "max depth", "nn-depth" → "neural network
    depth")."""
    words = question_id.replace("nn-", "neural-network-").replace("kmeans", "k-means")
    return words.replace("-", " ").replace("k means", "k-means")


def title(topic: str) -> str:
    """A topic as a heading ("ml-design" → "ML design")."""
    words = topic.replace("-", " ").capitalize()
    return re.sub(r"\bml\b", "ML", words, flags=re.I)


def _joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def outcomes(asked: Sequence[str], grades: dict[str, Grade], bank: RubricBank) -> list[Outcome]:
    """Every bank question asked, in order, with its latest grade (None when not answered)."""
    return [Outcome(bank[q], grades.get(q)) for q in dict.fromkeys(asked) if q in bank]


def verdict_for(score: float | None) -> str:
    if score is None:
        return "No question was answered, so there is nothing to judge yet."
    for minimum, text in VERDICTS:
        if score >= minimum:
            return text.format(bar=BAR)
    return VERDICTS[-1][1].format(bar=BAR)


def _quote(text: str) -> str:
    words = text.split()
    return text if len(words) <= MAX_QUOTE_WORDS else " ".join(words[:MAX_QUOTE_WORDS]) + " …"


def _by_topic(items: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    grouped: dict[str, list[Outcome]] = defaultdict(list)
    for item in items:
        grouped[item.loaded.rubric.topic].append(item)
    return grouped


def _idea(item: Outcome) -> str:
    """The one correct idea for a question that fell short: a serious misconception's
    correction, else the rubric's teaching line."""
    if item.grade is not None:
        for hit in item.grade.misconceptions:
            if hit.severity == "major" and hit.correction:
                return hit.correction
    return item.loaded.rubric.teach or item.loaded.rubric.reference_answer.split(". ")[0]


def _practical(item: Outcome) -> bool:
    return bool(PRACTICAL_TRACKS & set(item.loaded.rubric.tracks))


def gaps_of(items: Sequence[Outcome]) -> list[SummaryItem]:
    """At most three topics where the most was missing (summed shortfall of its answers that
    were not strong), a practical question's topic taking one slot when it fell short."""
    short = [item for item in items if not item.strong]
    ranked = sorted(
        _by_topic(short).items(),
        key=lambda kv: -sum(100 - item.score for item in kv[1]),
    )
    practical = [kv for kv in ranked if any(_practical(item) for item in kv[1])][:1]
    theory = [kv for kv in ranked if kv not in practical][: MAX_GAPS - len(practical)]
    chosen = [kv for kv in ranked if kv in theory or kv in practical]
    gaps = []
    for topic, group in chosen:
        group = sorted(group, key=lambda item: item.score)
        names = [label(item.loaded.id) for item in group]
        ids = [item.loaded.id for item in group]
        gaps.append(SummaryItem(
            question_id=ids[0], questions=ids, topic=topic,
            text=f"{title(topic)}: {_joined(names)}",
            idea=" ".join(dict.fromkeys(_idea(item) for item in group[:2])),
        ))
    return gaps


def strengths_of(items: Sequence[Outcome], gap_topics: set[str]) -> list[SummaryItem]:
    """At most three topics with strong answers, each quoting the candidate's best covered
    point: topics that are not also a gap first, then those with the most strong answers, then
    by the topic's mean score."""
    topics = [(topic, group) for topic, group in _by_topic(items).items()
              if any(item.strong for item in group)]
    topics.sort(key=lambda kv: (kv[0] in gap_topics, -sum(item.strong for item in kv[1]),
                                -sum(item.score for item in kv[1]) / len(kv[1])))
    strengths = []
    for topic, group in topics[:MAX_STRENGTHS]:
        strong = sorted((item for item in group if item.strong), key=lambda item: -item.score)
        quote = ""
        for item in strong:
            assert item.grade is not None
            # the most important point; on a tie the later one, the "why" under the "what"
            rank = {p.id: (p.weight, i) for i, p in enumerate(item.loaded.rubric.key_points)}
            covered = sorted((p for p in item.grade.key_points
                              if p.status == "covered" and p.evidence),
                             key=lambda p: rank.get(p.id, (0.0, 0)), reverse=True)
            if covered:
                quote = _quote(covered[0].evidence)
                break
        ids = [item.loaded.id for item in strong]
        strengths.append(SummaryItem(
            question_id=ids[0], questions=ids, topic=topic,
            text=f"{title(topic)}: {_joined([label(q) for q in ids])}", evidence=quote,
        ))
    return strengths


def practice_for(gaps: Sequence[SummaryItem], items: Sequence[Outcome]) -> list[SummaryItem]:
    """One or two concrete actions, one per gap topic, most important gap first; with no gap,
    one for the weakest answer's topic (there is always something to do by hand)."""
    if not gaps and items:
        weakest = min(items, key=lambda item: item.score).loaded
        gaps = [SummaryItem(question_id=weakest.id, questions=[weakest.id],
                            topic=weakest.rubric.topic, text="")]
    actions = []
    for gap in gaps[:MAX_PRACTICE]:
        text = PRACTICE.get(gap.topic) or GENERIC_PRACTICE.format(label=label(gap.question_id))
        actions.append(SummaryItem(question_id=gap.question_id, questions=gap.questions,
                                   topic=gap.topic, text=text))
    return actions


def _topics_named(sentence: str, items: Sequence[Outcome]) -> list[str]:
    """Topics a self-assessment sentence names: a question's ``mentions`` or the topic's name."""
    parsed = split_sentences(sentence)
    words = set(tokens(sentence))
    named = []
    for item in items:
        rubric = item.loaded.rubric
        topic_words = set(tokens(rubric.topic.replace("-", " ")))
        hit = (rubric.mentions and first_match(rubric.mentions, parsed) is not None) or (
            topic_words and topic_words <= words)
        if hit and rubric.topic not in named:
            named.append(rubric.topic)
    return named


def compare_self(text: str | None, items: Sequence[Outcome], strengths: Sequence[SummaryItem],
                 gaps: Sequence[SummaryItem], score: float | None) -> str:
    """The self-assessment acknowledged and set against the grades, in one or two sentences."""
    if not text or not text.strip():
        return ""
    strong_topics = {p.topic for p in strengths}
    gap_topics = {p.topic for p in gaps}
    remarks: list[str] = []
    clauses = [part for s in split_sentences(text) for part in _CLAUSE_BREAK.split(s.text)]
    for sentence in clauses:
        doubt, pride = bool(_DOUBT.search(sentence)), bool(_PRIDE.search(sentence))
        for topic in _topics_named(sentence, items):
            name = title(topic).lower()
            if doubt and topic in strong_topics:
                remarks.append(f"you were worried about {name}, but it was one of your "
                               "strongest topics")
            elif doubt and topic in gap_topics:
                remarks.append(f"you were right that {name} needs work")
            elif pride and topic in strong_topics:
                remarks.append(f"you felt {name} went well, and the grades agree")
            elif pride and topic in gap_topics:
                remarks.append(f"you felt {name} went well, but it is one of the gaps below")
    remarks = list(dict.fromkeys(remarks))[:2]
    if remarks:
        comparison = "; ".join(remarks)
        return comparison[0].upper() + comparison[1:] + "."
    doubt = bool(_DOUBT.search(text))
    pride = bool(_PRIDE.search(text)) and not doubt
    good = score is not None and score >= VERDICTS[1][0]
    if doubt and good:
        return "You were harder on yourself than the grades: most of your answers held up."
    if doubt:
        return "The grades agree with you: there is real work to do before the next interview."
    if pride and not good:
        return "You were more confident than the grades: several answers missed key ideas."
    if pride:
        return "The grades agree with you: it went well."
    return "Thanks for reflecting on it; here is how the grades saw it."


def closing_feedback(session: Session, bank: RubricBank) -> SessionSummary:
    """The closing feedback for every bank question the session asked (delivery notes are added
    by :func:`voicecoach.feedback.summary.summarize`)."""
    grades = {q: g for q, g in session.latest_grades().items() if q in bank}
    items = outcomes(list(session.turns_by_question()), grades, bank)
    score = session.overall_score()
    gaps = gaps_of(items)
    strengths = strengths_of(items, {gap.topic for gap in gaps})
    return SessionSummary(
        verdict=verdict_for(score),
        self_review=compare_self(session.self_assessment, items, strengths, gaps, score),
        strengths=strengths, gaps=gaps, advice=practice_for(gaps, items),
    )
