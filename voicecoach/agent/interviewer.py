"""The interview loop as an explicit state machine.

``GREET → ASK → LISTEN → TRANSCRIBE → GRADE → DECIDE → (ASK a follow-up | ASK the next question)
… → SELF_ASSESS → ASK → LISTEN → TRANSCRIBE → FEEDBACK → SAVE → DONE``

Each state is one small method that does its job and returns the next state, so the flow can be
read in one place (``run``) and each step tested alone. Every answered turn is journaled through
the session store as soon as it is graded: Ctrl-C or a crash keeps all finished turns, and the
feedback can be produced later with ``voicecoach report``. A question's grade accumulates: after a
probe, everything the candidate said to that question is graded together, so a point covered in
the first answer stays covered and the next probe targets what is still missing.

The candidate is never talked over: the interviewer works out its reply as soon as an answer seems
over, but just before it speaks it asks the source whether the candidate has started talking again
(:meth:`MicSource.resumed`). If so, it forgets the reply (:class:`Rewind`), and goes back to
listening to the same answer, which is then transcribed and graded as a whole. (Words that say
the candidate is not done, "let me think" or a trailing "and…", are heard at the pause itself,
by the capture: :mod:`voicecoach.audio.turntaking`.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from voicecoach.agent.ahead import AheadGrader
from voicecoach.agent.candidates import AnswerSource, ListenContext, Reply
from voicecoach.agent.events import EventSink
from voicecoach.agent.flow import opening, pick_next
from voicecoach.agent.policy import FollowUpPolicy, ProbeRequest
from voicecoach.agent.replies import MoveContext, reply_to
from voicecoach.agent.voice import Speaker
from voicecoach.feedback.summary import summarize
from voicecoach.feedback.text import spoken_feedback, written_feedback
from voicecoach.grading.grader import AnswerGrader, grade_answer
from voicecoach.rubric.loader import LoadedRubric, RubricBank
from voicecoach.session.models import (
    Session,
    SessionSummary,
    Summarizer,
    Turn,
    TurnKind,
    combined_answer,
    join_texts,
    utc_now,
)
from voicecoach.session.moves import MoveKind, MoveMatch, MoveRecord, recognise
from voicecoach.session.store import SessionStore
from voicecoach.speech.transcript import Transcript

SELF_ASSESSMENT_PROMPT = (
    "Before I share my feedback — how do you think it went? "
    "What did you do well, and what would you improve?"
)

# the /repeat, /skip, /quit commands (and keys r, s, q) are moves too, recorded like spoken ones
COMMAND_MOVES: dict[str, MoveKind] = {"repeat": "repeat", "skip": "skip", "quit": "end"}

Transcriber = Callable[[Path, str], Transcript]  # (audio file, question text as prompt)


class LiveTranscription(Protocol):
    """An answer being transcribed while it is recorded (see voicecoach.speech.incremental)."""

    def finish(self, path: Path | None = None) -> Transcript: ...

    def cancel(self) -> None: ...


# (growing answer file, prompt, told the text so far at each pause) -> a started
# LiveTranscription; used with sources whose ``live_audio`` is true (the microphone), where the
# answer file grows while it is spoken
LiveTranscriber = Callable[[Path, str, Callable[[str], None] | None], LiveTranscription]

class State(Enum):
    GREET = "greet"
    ASK = "ask"
    LISTEN = "listen"
    TRANSCRIBE = "transcribe"
    GRADE = "grade"
    DECIDE = "decide"
    SELF_ASSESS = "self_assess"
    FEEDBACK = "feedback"
    SAVE = "save"
    DONE = "done"


@dataclass(frozen=True)
class InterviewOptions:
    """How the loop behaves (policy-independent)."""

    max_probes: int = 2  # follow-ups per question at most
    greeting: str = "Hi, welcome to your practice interview. Let's start."  # said
    intro: str | None = None  # written before the greeting (how the session works)
    record_question_audio: bool = True  # save what the interviewer said under turns/
    follow_mentions: bool = True  # next: a planned question the last answer mentioned, if any
    # grade a spoken answer's text so far at its pauses, so the grade at its end reads mostly
    # cached sentences (for a grader whose ``grades_ahead`` is true)
    grade_ahead: bool = False


@dataclass
class Utterance:
    """What the interviewer is about to say, before it becomes a turn."""

    kind: TurnKind
    text: str
    question_id: str | None = None
    targets: str | None = None
    policy: str = "rubric"


@dataclass
class QuestionState:
    """Progress on the current bank question."""

    loaded: LoadedRubric
    turns: list[Turn] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    hinted: bool = False  # the one hint after "I don't know" was given


@dataclass(frozen=True)
class Rewind:
    """The interviewer's state as an answer ended, to return to if the candidate goes on."""

    index: int
    question: QuestionState | None
    question_lists: tuple[list[Turn], list[str], list[str]] | None
    pending: Utterance | None
    carry: str | None
    turn: Turn
    turn_copy: Turn
    turn_count: int
    self_assessment: str | None
    summary: SessionSummary | None


class Interviewer:
    """Runs one interview from greeting to saved feedback."""

    def __init__(
        self,
        *,
        bank: RubricBank,
        plan: list[LoadedRubric],
        store: SessionStore,
        session: Session,
        source: AnswerSource,
        speaker: Speaker,
        policy: FollowUpPolicy,
        events: EventSink,
        transcriber: Transcriber | None = None,
        live_transcriber: LiveTranscriber | None = None,
        warm_up: Callable[[], None] | None = None,
        grader: AnswerGrader = grade_answer,
        summarizer: Summarizer = summarize,
        write: Callable[[str], None] = print,
        options: InterviewOptions | None = None,
    ) -> None:
        self.bank, self.plan, self.store, self.session = bank, list(plan), store, session
        self.source, self.speaker, self.policy, self.events = source, speaker, policy, events
        self.transcriber, self.grader, self.summarizer = transcriber, grader, summarizer
        self.live_transcriber = live_transcriber
        self._ahead: AheadGrader | None = None
        self.warm_up = warm_up
        self.write = write
        self.options = options or InterviewOptions()
        self.state = State.GREET
        self._index = 0  # position in plan
        self._question: QuestionState | None = None
        self._pending: Utterance | None = None
        self._carry: str | None = None  # a correction to say before the next utterance
        self._asked = ""  # the current utterance without the carried correction (for repeats)
        self._turn: Turn | None = None
        self._reply: Reply | None = None
        self._live: LiveTranscription | None = None
        self._last_answer_end: float | None = None
        self._rewind: Rewind | None = None  # set from an answer's end until the next speech
        self._resume = False  # the next listen continues the current answer
        self._handlers: dict[State, Callable[[], State]] = {
            State.GREET: self.greet,
            State.ASK: self.ask,
            State.LISTEN: self.listen,
            State.TRANSCRIBE: self.transcribe,
            State.GRADE: self.grade,
            State.DECIDE: self.decide,
            State.SELF_ASSESS: self.self_assess,
            State.FEEDBACK: self.feedback,
            State.SAVE: self.save,
        }

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> Session:
        """Run to the end; on Ctrl-C or an error, journal what is finished and re-raise."""
        self.events.emit(
            "session_started",
            session_id=self.session.id,
            questions=[loaded.id for loaded in self.plan],
            policy=self.policy.name,
            source=self.source.name,
            epoch=round(self.events.started_epoch, 3),
        )
        try:
            while self.state is not State.DONE:
                self.state = self._handlers[self.state]()
        except KeyboardInterrupt:
            self._stop("interrupted")
            raise
        except Exception as error:
            self.events.emit("error", message=str(error), state=self.state.value)
            self._stop("interrupted")
            raise
        return self.session

    def _stop(self, status: str) -> None:
        """Keep finished turns only, mark the session and save it."""
        self.session.turns = [
            t for t in self.session.turns
            if t.answer is not None or t.ended_at is not None or t.moves
        ]
        self.session.status = "interrupted" if status == "interrupted" else "finished"
        self.store.save(self.session)
        self.events.emit(
            "session_finished", session_id=self.session.id, status=self.session.status,
            path=str(self.store.session_dir(self.session.id)),
        )

    # -- states -----------------------------------------------------------------------------

    def greet(self) -> State:
        """Say hello, with the first question synthesized while the greeting plays."""
        if self.options.intro:
            self.write(self.options.intro)
        # the greeting first, then the first question: synthesized one after the other on the
        # speaker's one worker, so the question is ready when the greeting has been said
        self.speaker.prepare(self.options.greeting)
        self._pending = self._next_question()
        if self._pending is not None:
            self.speaker.prepare(self._pending.text)
        self.speaker.prepare_acknowledgments()
        self.speaker.say(self.options.greeting, self.events)
        return State.ASK

    def _next_question(self) -> Utterance | None:
        if self._index >= len(self.plan):
            return None
        if self.options.follow_mentions:
            pick = self._index + pick_next(self.plan[self._index:], self._answers(last=True))
            self.plan.insert(self._index, self.plan.pop(pick))
        loaded = self.plan[self._index]
        self._question = QuestionState(loaded)
        return Utterance("question", opening(loaded, self._answers(last=False)),
                         question_id=loaded.id)

    def _answers(self, *, last: bool) -> list[str]:
        """The candidate's answers so far (moves are not answers), or only those to the last
        question answered."""
        turns = [t for t in self.session.turns
                 if t.answer is not None and t.kind in ("question", "followup")]
        if last and turns:
            turns = [t for t in turns if t.question_id == turns[-1].question_id]
        return [t.answer.text for t in turns if t.answer is not None]

    def ask(self) -> State:
        """Say the pending utterance as a new turn (or the next planned question)."""
        utterance = self._pending or self._next_question()
        self._pending = None
        if utterance is None:
            return State.SELF_ASSESS
        text = f"{self._carry} {utterance.text}" if self._carry else utterance.text
        self._carry = None
        self._asked = utterance.text
        turn = Turn(
            index=len(self.session.turns),
            kind=utterance.kind,
            question_id=utterance.question_id,
            prompt=text,
            targets=utterance.targets,
            policy=utterance.policy,
        )
        self.session.turns.append(turn)
        self._turn = turn
        if utterance.kind in ("question", "followup"):
            fields: dict[str, Any] = {"question_id": utterance.question_id, "question": text}
            if utterance.kind == "followup":
                fields.update(targets=utterance.targets, policy=utterance.policy)
            else:
                fields.update(number=self._index + 1, of=len(self.plan))
            self.events.emit(utterance.kind, **fields)
        if not self._speak_turn(turn):
            return self._go_back()
        return State.LISTEN

    def _quiet_for(self, seconds: float) -> bool:
        """Whether the candidate stays quiet ``seconds`` more of their audio (for the
        acknowledgment; a source without live audio has nobody to wait for)."""
        quiet_for = getattr(self.source, "quiet_for", None)
        return quiet_for is None or bool(quiet_for(seconds))

    def _go_ahead(self) -> bool:
        """Whether the interviewer may start speaking: no answer is pending a possible
        continuation, or the candidate has stayed quiet since it ended."""
        resumed = getattr(self.source, "resumed", None)
        return self._rewind is None or resumed is None or not resumed()

    def _go_back(self) -> State:
        """The candidate went on talking (or its words say it will): undo what followed the
        answer, listen on."""
        rewind = self._rewind
        assert rewind is not None
        self._rewind = None
        self._index, self._question = rewind.index, rewind.question
        if rewind.question is not None and rewind.question_lists is not None:
            turns, probed, corrected = rewind.question_lists
            rewind.question.turns, rewind.question.probed = list(turns), list(probed)
            rewind.question.corrected = list(corrected)
        self._pending, self._carry = rewind.pending, rewind.carry
        del self.session.turns[rewind.turn_count:]
        self.session.turns[rewind.turn.index] = rewind.turn_copy
        self._turn = rewind.turn_copy
        self.session.self_assessment, self.session.summary = \
            rewind.self_assessment, rewind.summary
        self._resume = True
        self.events.emit("answer_resumed", question_id=rewind.turn.question_id)
        return State.LISTEN

    def _speak_turn(self, turn: Turn) -> bool:
        """Say the turn's prompt; False if the candidate was speaking again (nothing said)."""
        audio_path = None
        if self.options.record_question_audio:
            audio_path = self.store.audio_path(self.session.id, turn.index, "question")
        started = self.events.now()
        if not self.speaker.say(turn.prompt, self.events, audio_path, go_ahead=self._go_ahead):
            return False
        self._rewind = None
        if self._last_answer_end is not None:
            previous = self._previous_answered_turn(turn)
            if previous is not None:
                previous.timings["next_speech_latency"] = round(
                    started - self._last_answer_end, 3
                )
            self._last_answer_end = None
        turn.timings.setdefault("spoken_at", started)
        if audio_path is not None and audio_path.is_file():
            turn.question_audio = str(audio_path.relative_to(self.store.session_dir(
                self.session.id)))
        return True

    def _previous_answered_turn(self, current: Turn) -> Turn | None:
        for turn in reversed(self.session.turns):
            if turn is not current and turn.answer is not None:
                return turn
        return None

    def _prepare_ahead(self) -> None:
        """While the candidate answers, synthesize what may be said next."""
        if self._question is not None and self._turn is not None:
            for point in self._question.loaded.rubric.key_points:
                if point.probe and point.id not in self._question.probed:
                    self.speaker.prepare(point.probe)
        if self._index + 1 < len(self.plan):
            self.speaker.prepare(opening(self.plan[self._index + 1], self._answers(last=False)))
        else:
            self.speaker.prepare(SELF_ASSESSMENT_PROMPT)

    def listen(self) -> State:
        turn = self._require_turn()
        if self.warm_up is not None:
            # Models still loading in the background (speech-to-text) must be ready before the
            # first answer, so a failure to load shows before the candidate speaks; waiting for
            # them only here, not before the first question, brought it ~0.8 s sooner on 2 cores.
            warm_up, self.warm_up = self.warm_up, None
            warm_up()
        self._prepare_ahead()
        answer_path = self.store.audio_path(self.session.id, turn.index, "answer")
        self.events.emit("listening_started", question_id=turn.question_id,
                         **({"resumed": True} if self._resume else {}))
        started = self.events.now()
        live = None
        if self.live_transcriber is not None and getattr(self.source, "live_audio", False):
            live = self.live_transcriber(answer_path, self._stt_prompt(turn),
                                         self._grade_ahead(turn))
        resume, self._resume = self._resume, False
        try:
            reply = self.source.listen(
                ListenContext(turn.prompt, answer_path, self.events, turn.question_id, resume)
            )
        except BaseException:
            if live is not None:
                live.cancel()
            raise
        finally:
            if self._ahead is not None:  # the answer has ended: what it said is graded next
                self._ahead.close()
                self._ahead = None
        ended = self.events.now()
        if live is not None and (reply.audio is None or reply.text is not None):
            live.cancel()
            live = None
        self._live = live
        self.events.emit(
            "answer_ended", question_id=turn.question_id, ended_by=reply.ended_by,
            seconds=round(ended - started, 3),
            **({"command": reply.command} if reply.command else {}),
        )
        turn.timings.update(listen_started=started, answer_ended=ended)
        self._reply = reply
        if reply.command is not None:
            self._rewind = None
            move = MoveMatch(COMMAND_MOVES[reply.command], f"/{reply.command}")
            return self._on_move(turn, move, f"/{reply.command}", reply)
        self._last_answer_end = ended
        question = self._question
        self._rewind = Rewind(
            index=self._index, question=question,
            question_lists=None if question is None else (
                list(question.turns), list(question.probed), list(question.corrected)),
            pending=self._pending, carry=self._carry, turn=turn,
            turn_copy=turn.model_copy(deep=True), turn_count=len(self.session.turns),
            self_assessment=self.session.self_assessment, summary=self.session.summary,
        )
        if reply.audio is not None and reply.speech_seconds and getattr(
                self.source, "live_audio", False):
            self.speaker.acknowledge(self.events, self._quiet_for,  # while the reply is made
                                     quiet=reply.quiet_seconds or 0.0)
        return State.TRANSCRIBE

    def _on_move(self, turn: Turn, move: MoveMatch, text: str, reply: Reply) -> State:
        """Answer a move like the reference interviewer (see agent.replies) and record it on
        the turn it interrupted; it is never graded."""
        self._rewind = None  # the move is answered (a reply), not continued
        question = self._question if turn.kind != "self_assessment" else None
        answer = reply_to(move, MoveContext(
            loaded=question.loaded if question is not None else None, asked=self._asked,
            on_followup=turn.kind == "followup",
            hinted=question is not None and question.hinted,
        ))
        turn.moves.append(MoveRecord(kind=move.kind, text=text, subject=move.subject,
                                     reply=answer.say, audio=self._keep_move_audio(turn, reply)))
        self.events.emit("move", question_id=turn.question_id, move=move.kind, text=text,
                         reply=answer.say, then=answer.then)
        self.store.save(self.session)
        if answer.then == "listen":
            if answer.hint and question is not None:
                question.hinted = True
            if answer.say:
                self.speaker.say(answer.say, self.events)
            return State.LISTEN
        if answer.then == "skip":
            self._carry = answer.say or None
            return self._skip(turn)
        turn.ended_at = utc_now()
        self.store.save(self.session)
        if answer.then == "end":
            self._turn = None
            return State.FEEDBACK if turn.kind == "self_assessment" else State.SELF_ASSESS
        self._carry = answer.say or None  # the teaching line, said before the next question
        self._index += 1
        self._question = None
        return State.ASK

    def _keep_move_audio(self, turn: Turn, reply: Reply) -> str | None:
        """A spoken move's recording is kept beside the answer's (turns/NNN-move-K.wav): the
        answer that follows is recorded to the answer's own path."""
        if reply.audio is None or not reply.audio.is_file():
            return None
        session_dir = self.store.session_dir(self.session.id)
        kept = reply.audio.with_name(f"{turn.index:03d}-move-{len(turn.moves) + 1}.wav")
        reply.audio.replace(kept)
        if turn.answer_audio is not None:
            turn.answer_audio = None
        return str(kept.relative_to(session_dir)) if kept.is_relative_to(session_dir) else str(kept)

    def _skip(self, turn: Turn) -> State:
        """Skipped: keep the asked turn (unanswered), move to the next question."""
        turn.ended_at = utc_now()
        turn.timings["skipped"] = 1.0
        self.store.save(self.session)
        if turn.kind == "self_assessment":
            return State.FEEDBACK
        self._index += 1
        self._question = None
        return State.ASK

    def transcribe(self) -> State:
        turn, reply = self._require_turn(), self._reply
        assert reply is not None
        if reply.audio is not None:
            session_dir = self.store.session_dir(self.session.id)
            inside = reply.audio.is_relative_to(session_dir)
            turn.answer_audio = str(reply.audio.relative_to(session_dir) if inside else reply.audio)
        if reply.text is not None:
            transcript = Transcript.from_text(reply.text)
        elif reply.audio is not None and self._live is not None:
            started = self.events.now()
            transcript = self._live.finish(reply.audio)
            self._live = None
            turn.timings["stt_seconds"] = round(self.events.now() - started, 3)
        elif reply.audio is not None and self.transcriber is not None:
            started = self.events.now()
            transcript = self.transcriber(reply.audio, self._stt_prompt(turn))
            turn.timings["stt_seconds"] = round(self.events.now() - started, 3)
        else:
            raise RuntimeError("an audio answer arrived but no speech-to-text engine is set up")
        self.events.emit("transcript", question_id=turn.question_id, text=transcript.text)
        move = recognise(transcript.text)
        if move is not None and not (turn.kind == "self_assessment" and move.kind == "dont_know"):
            return self._on_move(turn, move, transcript.text, reply)
        turn.answer = transcript
        if turn.kind == "self_assessment":
            self.session.self_assessment = transcript.text
            turn.ended_at = utc_now()
            self.store.save(self.session)
            return State.FEEDBACK
        return State.GRADE

    def _stt_prompt(self, turn: Turn) -> str:
        """What Whisper is primed with: everything asked on this question (domain words)."""
        asked = [t.prompt for t in self._question.turns] if self._question else []
        return " ".join([*asked, turn.prompt]).strip()

    def _grade_ahead(self, turn: Turn) -> Callable[[str], None] | None:
        """What the live transcriber tells the text so far: it hands it to a background grader
        (``AheadGrader``) and returns at once, so transcription never waits for grading."""
        question = self._question
        if not self.options.grade_ahead or question is None or turn.kind == "self_assessment":
            return None
        before = [t.answer.text for t in question.turns if t.answer is not None]
        ahead = AheadGrader(lambda text: self.grader(question.loaded, join_texts([*before, text])))
        self._ahead = ahead
        return ahead.offer

    def grade(self) -> State:
        turn, question = self._require_turn(), self._require_question()
        question.turns.append(turn)
        started = self.events.now()
        grade = self.grader(question.loaded, combined_answer(question.turns))
        turn.timings["grade_seconds"] = round(self.events.now() - started, 3)
        turn.grade = grade
        turn.ended_at = utc_now()
        self.events.emit(
            "grade", question_id=grade.question_id, level=grade.level, score=grade.score,
            covered=[kp.id for kp in grade.key_points if kp.status == "covered"],
            partial=[kp.id for kp in grade.key_points if kp.status == "partial"],
            missing=[kp.id for kp in grade.key_points if kp.status == "missing"],
            misconceptions=[hit.id for hit in grade.misconceptions],
        )
        self.store.save(self.session)
        return State.DECIDE

    def decide(self) -> State:
        turn, question = self._require_turn(), self._require_question()
        assert turn.grade is not None
        request = ProbeRequest(
            loaded=question.loaded,
            grade=turn.grade,
            answers=tuple(t.answer.text for t in question.turns if t.answer is not None),
            asked=tuple(t.prompt for t in question.turns),
            probed=tuple(question.probed),
            corrected=tuple(question.corrected),
            max_probes=self.options.max_probes,
        )
        started = self.events.now()
        decision = self.policy.decide(request)
        turn.timings["policy_seconds"] = round(self.events.now() - started, 3)
        turn.timings.update(decision.details)
        if decision.fallback_reason:
            self.events.emit(
                "fallback", question_id=question.loaded.id, targets=decision.targets,
                policy=self.policy.name, reason=decision.fallback_reason,
            )
        question.corrected.extend(decision.corrected)
        self.store.save(self.session)
        if decision.action == "probe" and decision.targets:
            question.probed.append(decision.targets)
            self._pending = Utterance(
                "followup", decision.say, question_id=question.loaded.id,
                targets=decision.targets, policy=decision.policy,
            )
            return State.ASK
        self._carry = decision.correction
        self._index += 1
        self._question = None
        return State.ASK

    def self_assess(self) -> State:
        self._question = None
        self._pending = Utterance("self_assessment", SELF_ASSESSMENT_PROMPT, policy="script")
        return State.ASK if self._ask_self_assessment() else State.FEEDBACK

    def _ask_self_assessment(self) -> bool:
        """Only worth asking when at least one answer was given."""
        return any(t.answer is not None for t in self.session.turns)

    def feedback(self) -> State:
        self._turn = None
        summary = self.summarizer(self.session, self.bank)
        self.session.summary = summary
        self.store.save(self.session)
        score = self.session.overall_score()
        self.events.emit(
            "summary",
            verdict=summary.verdict,
            strengths=[item.text for item in summary.strengths],
            gaps=[item.text for item in summary.gaps],
            advice=[item.text for item in summary.advice],
            score=score,
        )
        if not self._go_ahead():
            return self._go_back()
        self.write(written_feedback(summary, score))
        if not self.speaker.say(spoken_feedback(summary), self.events, go_ahead=self._go_ahead):
            return self._go_back()
        self._rewind = None
        return State.SAVE

    def save(self) -> State:
        self._stop("finished")
        return State.DONE

    # -- helpers ----------------------------------------------------------------------------

    def _require_turn(self) -> Turn:
        assert self._turn is not None, f"state {self.state} needs a current turn"
        return self._turn

    def _require_question(self) -> QuestionState:
        assert self._question is not None, f"state {self.state} needs a current question"
        return self._question
