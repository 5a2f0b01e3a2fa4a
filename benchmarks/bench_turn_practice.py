"""Turn-taking as the candidate hears it: ``voicecoach practice`` through PulseAudio.

``bench_turn.py`` drives the capture code directly. This benchmark runs the installed command
with default settings (only ``--turn`` differs between the two runs), so everything between the
candidate's last word and the interviewer's next sound counts: the turn decision (the model and
the quick decode of the last words), and then its first sound, the acknowledgment ("All right.")
said while the answer is transcribed and graded and the reply synthesized.

How: a private PulseAudio daemon (``tests/fixtures/pulse.py``), with a loopback from the virtual
microphone into the virtual speaker, so ONE recording of the speaker holds the candidate and the
interviewer on one clock. Each time ``--events`` says ``listening_started`` (not a resumed answer)
the next labelled answer from ``benchmarks/data/turn_taking.yaml`` is played into the microphone
(rendered by ``bench_turn.build``: Piper, pauses cut into one utterance, clean and at 15 dB SNR).
Afterwards each played answer is found in the recording by cross-correlation, and:

- **cut off**: the interviewer made a sound between the answer's first and last word;
- **wait**: from the answer's last word to the interviewer's next sound (answers not cut off).

Both rules run one after the other in one invocation: ``model`` (the default) and ``silence``
(the old fixed 3 s). Figures go to ``benchmarks/README.md``.

    .venv/bin/python benchmarks/bench_turn_practice.py [--split heldout|dev|all] [--no-noise]
                                                       [--rules model,silence] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# ruff: noqa: E402  (the repo goes on sys.path first so the benchmark runs from a checkout)
from benchmarks.bench_turn import RATE, Answer, load_answers, p95
from tests.fixtures.pulse import MIC_FEED, SPEAKER, PulseAudio, best_lag_correlation
from voicecoach.audio.clip import AudioClip

FRAME = round(0.02 * RATE)  # 20 ms frames for finding the interviewer's sound
ONSET_FRAMES = 2  # how far (in frames) the answer's own loudness reaches (see judge)
SOUND = 0.01  # frame RMS above this (and well above the answer's own) is the interviewer
PLAY_AFTER_SPEECH = 3.0  # seconds of the answer's tail (noise or silence) played after its end
# Enough questions that the answers run out first; probes and the self-assessment take answers
# too (every listening gets the next one).
QUESTIONS = ("kmeans,random-forest,gradient-boosting,bias-variance,logistic-regression,"
             "l1-vs-l2,f1-score,feature-scaling,missing-values,outliers,naive-bayes,svm-margin-"
             "kernels,curse-of-dimensionality,learning-curves,bagging-vs-boosting,"
             "feature-importance,word-embeddings,pooling,residual-connections,embedding-layer,"
             "class-imbalance,decision-threshold,least-squares,multicollinearity,"
             "target-encoding,categorical-encoding,feature-selection,log-transform,"
             "k-nearest-neighbours,euclidean-distance")


@dataclass
class Played:
    """One answer played into the microphone, and what the interviewer did around it."""

    id: str
    kind: str
    noisy: bool
    rule: str
    cut: bool | None = None
    wait: float | None = None
    found: float | None = None  # correlation of the answer with the recording


def _near_max(values: np.ndarray, reach: int) -> np.ndarray:
    """Each value replaced by the largest within ``reach`` places of it."""
    padded = np.pad(values, reach)
    return np.asarray(np.max([padded[k:k + len(values)] for k in range(2 * reach + 1)], axis=0))


def _frame_rms(samples: np.ndarray) -> np.ndarray:
    usable = len(samples) // FRAME * FRAME
    return np.asarray(np.sqrt(np.mean(samples[:usable].reshape(-1, FRAME) ** 2, axis=1)))


def session(rule: str, answers: list[Answer], pulse: PulseAudio, workdir: Path,
            timeout: float) -> tuple[list[Played], np.ndarray, list[int | None], str]:
    """One ``voicecoach practice`` session; returns what was played, the speaker recording and
    each answer's offset in it (found afterwards)."""
    events_path = workdir / f"events-{rule}.jsonl"
    home = workdir / f"home-{rule}"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **pulse.client_env, "HOME": str(home),
           "VOICECOACH_RECORDINGS": str(workdir / f"recordings-{rule}"),
           "PYTHONPATH": str(REPO)}  # this checkout's voicecoach, whatever is installed
    env.pop("VOICECOACH_CONFIG", None)
    command = [sys.executable, "-m", "voicecoach.cli", "practice", "--questions",
               QUESTIONS, "--turn", rule, "--events", str(events_path)]
    played: list[Played] = []
    raw = workdir / f"speaker-{rule}.raw"
    recorder = subprocess.Popen(
        ["parec", f"--device={SPEAKER}.monitor", "--format=float32le", f"--rate={RATE}",
         "--channels=1", "--latency-msec=20"],
        env=pulse.client_env, stdout=raw.open("wb"), stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    # SIGINT back to its default in the child: a benchmark started in the background by a
    # non-interactive shell inherits it ignored, and a Python that starts with SIGINT ignored
    # never raises KeyboardInterrupt, so the session went on asking questions after the
    # answers ran out (it looked like Ctrl-C being lost; `voicecoach practice` itself ends)
    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, cwd=workdir,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(child.stdout or []), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    seen, playing, ending = 0, None, False
    try:
        while not ending and child.poll() is None and time.monotonic() < deadline:
            lines = events_path.read_text(encoding="utf-8").split("\n")[:-1] \
                if events_path.exists() else []
            for line in lines[seen:]:
                event = json.loads(line)
                if event["type"] != "listening_started" or event.get("resumed"):
                    continue
                if playing is not None:
                    playing.stop()
                    playing = None
                if len(played) == len(answers):
                    child.send_signal(signal.SIGINT)  # the answers ran out: end (and save)
                    ending = True
                    break
                answer = answers[len(played)]
                played.append(Played(answer.id, answer.kind, answer.noisy, rule))
                tail = answer.speech_end + round(PLAY_AFTER_SPEECH * RATE)
                playing = pulse.play_into_mic(AudioClip(answer.samples[:tail], RATE))
                print(f"  [{rule}] {len(played)}/{len(answers)} {answer.id} "
                      f"{'noisy' if answer.noisy else 'clean'}", flush=True)
            seen = len(lines)
            time.sleep(0.02)
        try:
            child.wait(60)
        except subprocess.TimeoutExpired:
            child.kill()
    finally:
        if playing is not None:
            playing.stop()
        if child.poll() is None:
            child.kill()
        time.sleep(0.3)
        recorder.send_signal(signal.SIGTERM)
        recorder.wait(5)
    reader.join(5)
    recording = np.frombuffer(raw.read_bytes(), dtype="<f4").copy()
    return played, recording, locate(answers[:len(played)], recording), "".join(output)


def locate(answers: list[Answer], recording: np.ndarray) -> list[int | None]:
    """Where each answer's speech starts in the recording (in order, each after the last)."""
    offsets: list[int | None] = []
    start = 0
    for answer in answers:
        probe = answer.samples[answer.speech_start:answer.speech_start + round(1.5 * RATE)]
        window = recording[start:start + 120 * RATE]
        if len(window) < len(probe):
            offsets.append(None)
            continue
        score, lag = best_lag_correlation(window, probe)
        if score < 0.3:
            offsets.append(None)
            continue
        offsets.append(start + lag)
        start += lag + (answer.speech_end - answer.speech_start)
    return offsets


def judge(played: list[Played], answers: list[Answer], recording: np.ndarray,
          offsets: list[int | None]) -> None:
    """Fill in cut and wait from the one recording (candidate and interviewer on one clock)."""
    heard = _frame_rms(recording)
    for index, (item, answer, offset) in enumerate(zip(played, answers, offsets, strict=False)):
        if offset is None:
            continue
        item.found = 1.0
        speech = answer.samples[answer.speech_start:answer.speech_end]
        # the answer's own loudness, frame by frame, at its loudest within +-2 frames: the
        # recording is placed to the sample, but a word's onset may fall a frame earlier there
        # (a clean answer was counted as cut at three onset frames where the answer itself was
        # still quiet: 0.27 heard against 0.06 "own", 2026-12-03)
        own = _near_max(_frame_rms(speech), ONSET_FRAMES)
        first = offset // FRAME
        during = heard[first:first + len(own)]
        # the interviewer, during the answer: far louder than the answer itself is there
        louder = (during > SOUND) & (during > 4 * own[:len(during)] + SOUND)
        item.cut = bool(np.convolve(louder, np.ones(3), "valid").max(initial=0) >= 3)
        if item.cut:
            continue
        last = offset + len(speech)
        following = offsets[index + 1] if index + 1 < len(offsets) else None
        after = heard[last // FRAME:(following // FRAME) if following else None]
        # the answer's tail noise plays on after it: the interviewer is louder than it
        noise = _frame_rms(answer.samples[answer.speech_end:])[:len(after)]
        floor = np.zeros(len(after))
        floor[:len(noise)] = noise
        loud = (after > SOUND) & (after > 4 * floor + SOUND)
        runs = np.flatnonzero(np.convolve(loud, np.ones(3), "valid") >= 3)
        item.wait = round(runs[0] * FRAME / RATE, 3) if len(runs) else None


def report(rows: list[Played]) -> None:
    print("\n| audio | rule | answers | cut off | wait median | wait p95 | complete answers: "
          "wait median | p95 |")
    print("|---|---|---|---|---|---|---|---|")
    for noisy in (False, True, None):
        for rule in ("model", "silence"):
            some = [r for r in rows if r.rule == rule and (noisy is None or r.noisy == noisy)
                    and r.cut is not None]
            if not some:
                continue
            waits = [r.wait for r in some if r.wait is not None]
            complete = [r.wait for r in some if r.wait is not None and r.kind == "complete"]
            cut = sum(bool(r.cut) for r in some)
            label = {False: "clean", True: "15 dB SNR", None: "all"}[noisy]
            cells = [f"{statistics.median(v):.2f} s | {p95(v):.2f} s" if v else "- | -"
                     for v in (waits, complete)]
            print(f"| {label} | {rule} | {len(some)} | {cut} ({cut / len(some):.0%}) | "
                  f"{cells[0]} | {cells[1]} |")
    print("\nCut off, by kind (model / silence):")
    for kind in sorted({r.kind for r in rows}):
        counts = [f"{sum(bool(r.cut) for r in rows if r.kind == kind and r.rule == rule)}/"
                  f"{sum(1 for r in rows if r.kind == kind and r.rule == rule)}"
                  for rule in ("model", "silence")]
        print(f"- {kind}: {counts[0]} / {counts[1]}")
    lost = [r for r in rows if r.cut is None]
    if lost:
        print(f"\nnot found in the recording (left out): {[(r.rule, r.id) for r in lost]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("heldout", "dev", "all"), default="heldout")
    parser.add_argument("--no-noise", action="store_true", help="clean copies only")
    parser.add_argument("--only", help="comma-separated answer ids")
    parser.add_argument("--rules", default="model,silence", help="model, silence or both")
    parser.add_argument("--json", type=Path, help="write every answer's outcome here")
    parser.add_argument("--keep", type=Path, help="keep the recordings and events here")
    args = parser.parse_args()
    entries, answers = load_answers(args.split, args.only, noise=not args.no_noise)
    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    print(f"{len(answers)} answers ({len(entries)} texts, split {args.split}), rules {rules}, "
          "each through `voicecoach practice` and PulseAudio", flush=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="voicecoach-turn-practice-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pulse = PulseAudio(workdir / "pulse")
    pulse.start()
    rows: list[Played] = []
    try:
        pulse.pactl("load-module", "module-loopback", f"source={MIC_FEED}.monitor",
                    f"sink={SPEAKER}", "latency_msec=20")
        for rule in rules:
            timeout = 60.0 + sum(len(a.samples) / RATE for a in answers) * 2
            played, recording, offsets, output = session(rule, answers, pulse, workdir, timeout)
            judge(played, answers, recording, offsets)
            if len(played) < len(answers):
                print(f"note: the {rule} session ended after {len(played)} answers:\n"
                      f"{output[-2000:]}", flush=True)
            for item in played:
                print(f"  {rule:7s} {item.id:14s} {'noisy' if item.noisy else 'clean'} "
                      f"cut={item.cut} wait={item.wait}", flush=True)
            rows += played
    finally:
        pulse.stop()
    report(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))


if __name__ == "__main__":
    main()
