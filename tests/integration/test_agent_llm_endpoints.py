"""The LLM follow-up policy against real endpoints: llama.cpp serving SmolLM2-135M on loopback
(wiring, validation, fallback on its poor output), a refused connection and a hung server."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.agent import fake_grade
from voicecoach.agent.llm_policy import LlmPolicy
from voicecoach.agent.policy import ProbeRequest
from voicecoach.config import default_prompts_dir
from voicecoach.llm.client import LlamaServer, LlmSpec, create_chat_model
from voicecoach.llm.prompts import load_prompt
from voicecoach.rubric.loader import RubricBank

pytestmark = pytest.mark.slow
VAGUE = "if the depth is too high the tree gets big and it will overfit"


def make_policy(base_url: str, timeout: float) -> LlmPolicy:
    model = create_chat_model(LlmSpec("openai", "local"), base_url=base_url, timeout=timeout)
    assert model is not None
    return LlmPolicy(model, load_prompt(default_prompts_dir()), timeout=timeout)


def make_request(bank: RubricBank, answers: tuple[str, ...] = (VAGUE,)) -> ProbeRequest:
    loaded = bank.get_rubric("max-depth")
    return ProbeRequest(loaded, fake_grade(loaded, " ".join(answers)), answers,
                        (loaded.rubric.question,), ())


def test_real_llm_proposals_are_validated_or_rejected_with_a_reason(
    llama_server: LlamaServer, real_bank: RubricBank
) -> None:
    policy = make_policy(llama_server.base_url, timeout=30)
    decisions = [policy.decide(make_request(real_bank)) for _ in range(3)]
    for decision in decisions:
        assert decision.action == "probe" and decision.targets == "learns-noise"
        assert decision.details["llm_seconds"] > 0  # the server was really asked
        if decision.fallback_reason is None:
            assert decision.policy == "llm" and decision.probe and decision.probe.endswith("?")
        else:  # SmolLM2 often proposes something off-topic or revealing: logged, rubric used
            assert decision.fallback_reason.startswith("invalid: ")
            assert decision.policy == "rubric" and decision.probe
            assert "patterns you don't want" in decision.probe


def test_junk_from_a_real_llm_falls_back(
    llama_server: LlamaServer, real_bank: RubricBank
) -> None:
    """A prompt that asks for junk: the (grammar-forced) tool call parses, validation rejects."""
    policy = make_policy(llama_server.base_url, timeout=30)
    junk = policy.prompt.__class__(
        "junk", system="Reply with the word banana repeated, and no question mark.",
        user="banana", sha256="0" * 64,
    )
    policy.prompt = junk
    decision = policy.decide(make_request(real_bank))
    assert decision.fallback_reason is not None
    assert decision.fallback_reason.startswith(("invalid: ", "error: "))
    assert decision.policy == "rubric" and decision.targets == "learns-noise"


def test_refused_connection_falls_back_fast(refusing_url: str, real_bank: RubricBank) -> None:
    started = time.monotonic()
    decision = make_policy(refusing_url, timeout=5).decide(make_request(real_bank))
    assert decision.fallback_reason is not None and "Connection" in decision.fallback_reason
    assert decision.policy == "rubric" and decision.probe
    assert time.monotonic() - started < 5


def test_hanging_server_falls_back_at_the_timeout(hanging_url: str, real_bank: RubricBank) -> None:
    started = time.monotonic()
    decision = make_policy(hanging_url, timeout=1.0).decide(make_request(real_bank))
    elapsed = time.monotonic() - started
    assert decision.fallback_reason is not None
    assert decision.fallback_reason.startswith(("timeout", "error: APITimeoutError"))
    assert decision.policy == "rubric" and decision.probe
    assert 0.9 <= elapsed < 4
