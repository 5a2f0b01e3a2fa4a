"""Command → the first question's audio, through the real audio stack, side by side.

``voicecoach practice --questions max-depth`` (default settings: the Piper voice, microphone
answers) is started against a private PulseAudio daemon, and stopped with Ctrl-C once the first
question's audio has started (its ``speaking_started`` event, from the ``--events`` file).
Issue 12's target: ≤ 3 s. With ``--compare TREE`` (another checkout, e.g. ``git worktree add
/tmp/base HEAD~1``) the two trees alternate in ABBA order, the same venv running both, so both
see the same machine load; the first start of a run pays a cold file cache, so compare medians.

    .venv/bin/python benchmarks/bench_first_question.py [--starts 6] [--compare TREE]
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
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# ruff: noqa: E402  (the repo goes on sys.path first so the benchmark runs from a checkout)
from tests.fixtures.pulse import PulseAudio


def events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def first_question(log: list[dict[str, Any]]) -> tuple[float, float] | None:
    """(greeting's audio, first question's audio), in seconds of the session's clock."""
    asked = [e["t"] for e in log if e["type"] == "question"]
    spoken = [e["t"] for e in log if e["type"] == "speaking_started"]
    if not asked or not spoken:
        return None
    question = [t for t in spoken if t >= asked[0]]
    return (spoken[0], question[0]) if question else None


def start_once(pulse: PulseAudio, tree: Path, folder: Path) -> tuple[float, float]:
    """One start of ``practice`` from ``tree``: wall seconds from spawning to the greeting's
    and the first question's audio."""
    (folder / "home").mkdir(parents=True)
    log_path = folder / "events.jsonl"
    env = {**os.environ, **pulse.client_env, "HOME": str(folder / "home"),
           "VOICECOACH_RECORDINGS": str(folder / "recordings"), "PYTHONPATH": str(tree)}
    env.pop("VOICECOACH_CONFIG", None)
    spawned = time.time()
    child = subprocess.Popen(
        [sys.executable, "-m", "voicecoach.cli", "practice", "--questions", "max-depth",
         "--events", str(log_path)],
        env=env, cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # a background shell starts children with SIGINT ignored; Ctrl-C must reach this one
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        while time.time() - spawned < 60:
            time.sleep(0.05)
            log = events(log_path)
            found = first_question(log)
            if found is not None:
                epoch = float(next(e for e in log if e["type"] == "session_started")["epoch"])
                return epoch + found[0] - spawned, epoch + found[1] - spawned
        raise SystemExit(f"no first question within 60 s from {tree}")
    finally:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=6, help="starts per tree")
    parser.add_argument("--compare", type=Path, help="another checkout, run alternately")
    args = parser.parse_args()
    trees = {"this tree": REPO}
    if args.compare is not None:
        trees["compared"] = args.compare.resolve()
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="bench-first-") as tmp:
        workdir = Path(tmp)
        pulse = PulseAudio(workdir / "pulse")
        pulse.start()
        try:
            for start in range(args.starts):
                names = list(trees) if start % 2 == 0 else list(reversed(trees))  # ABBA
                for name in names:
                    greeting, question = start_once(
                        pulse, trees[name], workdir / f"{start}-{len(results[name])}-{name[0]}")
                    results[name].append((greeting, question))
                    print(f"  {name}, start {start + 1}: greeting {greeting:.2f} s, "
                          f"first question {question:.2f} s", flush=True)
                    time.sleep(2)  # the last start's audio and processes have gone
        finally:
            pulse.stop()
    for name, runs in results.items():
        print(f"\n{name} ({trees[name]}), {len(runs)} starts")
        print(f"  first sound (greeting)  median {statistics.median(g for g, _ in runs):.2f} s")
        print(f"  first question's audio  median {statistics.median(q for _, q in runs):.2f} s"
              f"  ({', '.join(f'{q:.2f}' for _, q in runs)})")


if __name__ == "__main__":
    main()
