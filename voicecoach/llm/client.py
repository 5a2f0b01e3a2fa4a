"""Build a LangChain chat model from the ``--llm`` spec, or none.

Specs: ``none`` (default), ``ollama:MODEL``, ``openai:MODEL`` (with ``--llm-base-url`` for any
OpenAI-compatible server: llama.cpp, vLLM, LM Studio), ``llamacpp:PATH.gguf`` (a local GGUF served
by llama-cpp-python's OpenAI-compatible server on a private loopback port, started here and killed
with the session — one client path for every backend).

Facts this code relies on (measured, see DESIGN.md): llama.cpp's server ignores
``max_completion_tokens`` (which langchain-openai sends) so the limit goes in ``extra_body``; a
request the client gave up on keeps generating on the server and the server then ignores SIGTERM,
so our own server is SIGKILLed by PID.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from voicecoach.errors import ConfigError, MissingDependencyError

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

Provider = Literal["none", "ollama", "openai", "llamacpp"]
PROVIDERS: tuple[Provider, ...] = ("none", "ollama", "openai", "llamacpp")
DEFAULT_MAX_TOKENS = 96  # a probe is one short question; more only costs time


@dataclass(frozen=True)
class LlmSpec:
    """A parsed ``--llm`` value."""

    provider: Provider
    model: str = ""

    def __str__(self) -> str:
        return self.provider if self.provider == "none" else f"{self.provider}:{self.model}"


def parse_llm_spec(spec: str | None) -> LlmSpec:
    """``none | ollama:MODEL | openai:MODEL | llamacpp:PATH.gguf`` → LlmSpec (ConfigError else)."""
    text = (spec or "none").strip()
    if text.lower() in ("", "none", "off"):
        return LlmSpec("none")
    provider, sep, model = text.partition(":")
    provider = provider.lower()
    if not sep or not model or provider not in PROVIDERS or provider == "none":
        raise ConfigError(
            f"invalid --llm {text!r}: use none, ollama:MODEL, openai:MODEL or llamacpp:PATH.gguf"
        )
    if provider == "llamacpp" and not Path(model).expanduser().is_file():
        raise ConfigError(f"--llm llamacpp: no model file at {model}")
    return LlmSpec(provider, model)


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """llama-cpp-python's OpenAI-compatible server for one GGUF, on a private loopback port."""

    def __init__(
        self, model_path: Path, *, port: int | None = None, n_ctx: int = 2048, threads: int = 1,
        log_path: Path | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.port = port or free_port()
        self.n_ctx, self.threads, self.log_path = n_ctx, threads, log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, wait: float = 120.0) -> LlamaServer:
        """Start the server and wait until it answers ``/v1/models``."""
        try:
            import llama_cpp.server  # noqa: F401
        except ImportError:
            raise MissingDependencyError(
                "--llm llamacpp needs llama-cpp-python: pip install 'voicecoach[llamacpp]'"
            ) from None
        log = self.log_path.open("wb") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path),
             "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
             "--n_threads", str(self.threads)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ConfigError(f"the llama.cpp server for {self.model_path} exited at start")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=1):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        raise ConfigError(f"the llama.cpp server for {self.model_path} did not start in {wait}s")

    def stop(self) -> None:
        """SIGKILL our own server by PID (it ignores SIGTERM after a client timeout)."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def create_chat_model(
    spec: LlmSpec,
    *,
    base_url: str | None = None,
    timeout: float = 8.0,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    temperature: float = 0.3,
) -> BaseChatModel | None:
    """The chat model for ``spec`` (None for ``none``). Nothing is contacted here.

    For ``llamacpp`` pass the base URL of a started :class:`LlamaServer`.
    """
    if spec.provider == "none":
        return None
    if spec.provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError:
            raise MissingDependencyError("--llm ollama needs langchain-ollama") from None
        kwargs: dict[str, object] = {"client_kwargs": {"timeout": timeout}}
        if base_url:
            kwargs["base_url"] = base_url
        return ChatOllama(
            model=spec.model, temperature=temperature, num_predict=max_tokens, **kwargs
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise MissingDependencyError("--llm openai needs langchain-openai") from None
    local = spec.provider == "llamacpp" or bool(base_url)
    api_key = os.environ.get("OPENAI_API_KEY") or ("not-needed" if local else None)
    if api_key is None:
        raise ConfigError("--llm openai: set OPENAI_API_KEY, or give --llm-base-url for a local "
                          "OpenAI-compatible server")
    model = "local" if spec.provider == "llamacpp" else spec.model
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,
        timeout=timeout,
        max_retries=0,
        temperature=temperature,
        # llama.cpp's server ignores max_completion_tokens; max_tokens in the body is honoured
        extra_body={"max_tokens": max_tokens} if local else None,
        max_completion_tokens=None if local else max_tokens,
    )
