"""The end-of-session feedback: strengths, gaps, delivery notes and practice advice, with evidence.

Built from the session's latest grades only (a saved regrade counts, and changes it predictably),
in the reference interviewer's spirit: name the concepts that went well by topic, name exactly
what was missing or wrong, then a few concrete things to practise. Every item points at its
question and at the candidate's own words (or says that the point was never mentioned), so
nothing is praise or criticism without evidence.
"""

from __future__ import annotations

from voicecoach.feedback.delivery import delivery_notes
from voicecoach.grading.models import Grade
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Session, SessionSummary, SummaryItem

NOT_SAID = "(not mentioned)"
MAX_ADVICE, MIN_ADVICE = 5, 3
SOLID_CONFIDENCE = 0.8
# when an answer left little to fix: the reference interviewer's "learn by doing" advice
STRETCH_ADVICE = (
    "Practise the practical side of {topic}: apply it to a small dataset yourself and explain "
    "what you see, as if to an interviewer",
    "Answer the {topic} question again in under a minute, then ask yourself a follow-up: "
    "what goes wrong, and how would you notice it?",
    "Connect {topic} to a business problem: how would you frame it as an ML task and what "
    "would one row of training data be?",
)


def summarize(session: Session, bank: RubricBank) -> SessionSummary:
    """Strengths, gaps, delivery notes and 3-5 practice suggestions for a session."""
    grades = {q: g for q, g in session.latest_grades().items() if q in bank}
    summary = SessionSummary()
    ranked_gaps: list[tuple[float, SummaryItem, str]] = []  # (priority, gap, advice text)
    advised: set[str] = set()  # "question:point" keys already turned into advice
    for question_id, grade in grades.items():
        rubric = bank[question_id].rubric
        solid = [
            p for p in grade.key_points
            if p.status == "covered" and p.confidence >= SOLID_CONFIDENCE and p.evidence
        ]
        for point in solid:
            summary.strengths.append(SummaryItem(
                question_id=question_id, topic=rubric.topic,
                text=f"{rubric.topic}: {_description(bank, question_id, point.id)}",
                evidence=point.evidence,
            ))
        for point in grade.key_points:
            if not point.required or point.status == "covered":
                continue
            description = _description(bank, question_id, point.id)
            said = point.evidence or NOT_SAID
            prefix = "only partly explained" if point.status == "partial" else "missed"
            gap = SummaryItem(question_id=question_id, topic=rubric.topic,
                              text=f"{prefix}: {description}", evidence=said)
            summary.gaps.append(gap)
            advice = f"Practise explaining, out loud and in one go: {_lower(description)}"
            priority = point.weight * (2 if point.status == "missing" else 1)
            ranked_gaps.append((priority, gap, advice))
            advised.add(f"{question_id}:{point.id}")
        for hit in grade.misconceptions:
            known = _has_misconception(bank, question_id, hit.id)
            claim = rubric.misconception(hit.id).claim if known else hit.id
            gap = SummaryItem(question_id=question_id, topic=rubric.topic,
                              text=f"misconception: {claim} {hit.correction}".strip(),
                              evidence=hit.evidence)
            summary.gaps.append(gap)
            weight = 10.0 if hit.severity == "major" else 3.0
            ranked_gaps.append((weight, gap, f"Review and restate correctly: {hit.correction}"))
    summary.delivery = delivery_notes(session)
    summary.advice = _advice(ranked_gaps, summary, grades, bank, advised)
    return summary


def _description(bank: RubricBank, question_id: str, point_id: str) -> str:
    try:
        return bank[question_id].rubric.key_point(point_id).description
    except KeyError:
        return point_id


def _has_misconception(bank: RubricBank, question_id: str, misconception_id: str) -> bool:
    return any(m.id == misconception_id for m in bank[question_id].rubric.misconceptions)


def _lower(text: str) -> str:
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def _advice(
    ranked_gaps: list[tuple[float, SummaryItem, str]],
    summary: SessionSummary,
    grades: dict[str, Grade],
    bank: RubricBank,
    advised: set[str],
) -> list[SummaryItem]:
    advice: list[SummaryItem] = []
    seen: set[str] = set()
    for _, gap, text in sorted(ranked_gaps, key=lambda item: -item[0]):
        if text not in seen and len(advice) < MAX_ADVICE - (1 if summary.delivery else 0):
            seen.add(text)
            advice.append(SummaryItem(question_id=gap.question_id, topic=gap.topic, text=text,
                                      evidence=gap.evidence))
    if summary.delivery:
        note = summary.delivery[0]
        advice.append(SummaryItem(
            question_id=note.question_id,
            text="Record yourself answering one question a day and listen back for pace, "
                 "fillers and long pauses",
            evidence=note.evidence,
        ))
    # fewer than three gaps: stretch the weakest answers (optional points, partial ones)
    weakest = sorted(grades.items(), key=lambda qg: qg[1].score)
    for question_id, grade in weakest:
        if len(advice) >= MIN_ADVICE:
            break
        rubric = bank[question_id].rubric
        for point in grade.key_points:
            key = f"{question_id}:{point.id}"
            if point.status != "covered" and len(advice) < MIN_ADVICE and key not in advised:
                advised.add(key)
                description = _description(bank, question_id, point.id)
                text = f"Go one level deeper on {rubric.topic}: {_lower(description)}"
                if text not in seen:
                    seen.add(text)
                    advice.append(SummaryItem(question_id=question_id, topic=rubric.topic,
                                              text=text, evidence=point.evidence or NOT_SAID))
    for template in STRETCH_ADVICE:
        for question_id, grade in weakest:
            if len(advice) >= MIN_ADVICE:
                return advice
            rubric = bank[question_id].rubric
            evidence = next((p.evidence for p in grade.key_points if p.evidence), "")
            text = template.format(topic=rubric.topic)
            if text not in seen:
                seen.add(text)
                advice.append(SummaryItem(question_id=question_id, topic=rubric.topic,
                                          text=text, evidence=evidence))
    return advice
