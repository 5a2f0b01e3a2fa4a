"""The first minutes at the desk, measured: a scripted spoken session through the real audio stack.

``voicecoach practice`` runs as a user runs it (the installed command, default settings: tiny.en,
the Piper voice, the Smart Turn end-of-turn model) against a private PulseAudio daemon; a
simulated candidate speaks ~20 s Piper answers into the virtual microphone whenever the
``--events`` stream says ``listening_started`` (tests/fixtures/voice_session.py, shared with
the end-to-end test).

Measured per session:
- time to first audio (the greeting) and to the first question's audio, from spawning the command;
- end of answer (the capture's ``answer_ended``, once the turn is judged over) → the
  interviewer's next speech starts, for every answer; median and p95;
- the grade's own time after the answer was transcribed (each turn's ``grade_seconds`` in the
  saved session): the judge grades a spoken answer ahead at its pauses, so this is what is left.

Incremental transcription (answers transcribed at their pauses while recorded) and whole-answer
transcription run side by side, alternating, in one run.

    .venv/bin/python benchmarks/bench_voice_session.py [--runs N] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

# ruff: noqa: E402  (the repo goes on sys.path first so the benchmark runs from a checkout)
from bench_interviewer import answer_text, stat

from tests.fixtures.pulse import PulseAudio
from tests.fixtures.speech_audio import SpeechSynth
from tests.fixtures.voice_session import Asked, SpokenSession, run_spoken_session
from voicecoach.audio.clip import AudioClip
from voicecoach.rubric.loader import load_bank

QUESTIONS = ("max-depth", "kmeans")
SELF = "I think it went fine overall, but I should explain the reasons behind things more."


def answers(seconds: float, synth: SpeechSynth) -> dict[Asked, AudioClip]:
    """~``seconds`` of Piper speech for each thing the interviewer may ask."""
    bank = load_bank()
    words = round(seconds * 170 / 60)
    texts: dict[Asked, str] = {}
    for question in QUESTIONS:
        loaded = bank.get_rubric(question)
        texts[(question, "question")] = answer_text(loaded, words)
        strong = next(e.text for e in loaded.rubric.examples if e.level == "strong")
        texts[(question, "followup")] = answer_text_from(strong, words)
    texts[(None, "self_assessment")] = SELF
    return {asked: AudioClip.load(synth.clip(text)) for asked, text in texts.items()}


def answer_text_from(text: str, words: int) -> str:
    """``text`` repeated in spirit: padded with a restatement to about ``words`` words."""
    out = text.split()
    while len(out) < words:
        out += ["In", "other", "words,", *text.split()]
    return " ".join(out[: words + 10])


def grade_seconds(recordings: Path) -> list[float]:
    """Each graded turn's ``grade_seconds``, from the sessions saved under ``recordings``."""
    out = []
    for path in sorted(recordings.glob("*/session.json")):
        for turn in json.loads(path.read_text(encoding="utf-8")).get("turns", []):
            if "grade_seconds" in turn.get("timings", {}):
                out.append(float(turn["timings"]["grade_seconds"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="sessions per mode")
    parser.add_argument("--seconds", type=float, default=20.0, help="answer length")
    parser.add_argument("--max-probes", type=int, default=1)
    args = parser.parse_args()

    results: dict[str, list[SpokenSession]] = {"incremental": [], "whole": []}
    grading: dict[str, list[float]] = {mode: [] for mode in results}
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        workdir = Path(tmp)
        synth = SpeechSynth(REPO / "benchmarks" / "out" / "voice-session-audio")
        synth.folder.mkdir(parents=True, exist_ok=True)
        clips = answers(args.seconds, synth)
        lengths = [clip.duration for asked, clip in clips.items() if asked[0] is not None]
        print(f"answers: Piper, median {statistics.median(lengths):.1f} s; questions "
              f"{', '.join(QUESTIONS)}; max probes {args.max_probes}; default settings")
        pulse = PulseAudio(workdir / "pulse")
        pulse.start()
        try:
            for run in range(args.runs):
                for mode in results:  # alternate, so both see the same machine load
                    folder = workdir / f"{mode}-{run}"
                    folder.mkdir()
                    session = run_spoken_session(
                        pulse,
                        ["--questions", ",".join(QUESTIONS), "--max-probes",
                         str(args.max_probes), "--session-id", f"bench-{mode}-{run}"],
                        lambda asked: clips[asked], folder,
                        env={"VOICECOACH_STT_INCREMENTAL": str(mode == "incremental").lower()},
                        timeout=900,
                    )
                    if session.returncode != 0:
                        raise SystemExit(f"{mode} run {run} failed:\n{session.output[-3000:]}")
                    results[mode].append(session)
                    grading[mode] += grade_seconds(folder / "recordings")
                    print(f"  {mode} run {run + 1}: first question audio "
                          f"{session.first_question_audio():.2f} s, latencies "
                          f"{session.next_speech_latencies()}")
        finally:
            pulse.stop()
    for mode, sessions in results.items():
        firsts = [s.first_question_audio() for s in sessions]
        greetings = [s.first_audio() for s in sessions]
        latencies = [value for s in sessions for value in s.next_speech_latencies()]
        print(f"\n{mode} transcription ({len(sessions)} sessions, {len(latencies)} answers)")
        print(f"  first audio (greeting)   median {statistics.median(greetings):5.2f} s")
        print(f"  first question audio     median {statistics.median(firsts):5.2f} s")
        median, p95 = stat(latencies)
        print(f"  end of answer -> speech  median {median:5.2f} s   "
              f"p95 {p95:5.2f} s   max {max(latencies):5.2f} s")
        if grading[mode]:
            median, p95 = stat(grading[mode])
            print(f"  grading, after the transcript ({len(grading[mode])} grades)  "
                  f"median {median * 1000:4.0f} ms   p95 {p95 * 1000:4.0f} ms")


if __name__ == "__main__":
    main()
