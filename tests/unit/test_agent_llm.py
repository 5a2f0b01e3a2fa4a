"""LLM policy: spec parsing, prompt loading, proposal validation, fallbacks.

A scripted stand-in replaces the chat model here;
tests/integration/test_agent_llm_endpoints.py runs a real llama.cpp server.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.agent import fake_grade
from voicecoach.agent.llm_policy import FollowUpProposal, LlmPolicy, validate_probe
from voicecoach.agent.policy import ProbeRequest
from voicecoach.config import default_prompts_dir
from voicecoach.errors import ConfigError
from voicecoach.llm.client import LlmSpec, create_chat_model, parse_llm_spec
from voicecoach.llm.prompts import load_prompt
from voicecoach.rubric.loader import RubricBank

VAGUE = "if the depth is too high the tree gets big and it will overfit"


class ScriptedModel:
    """Stands in for a LangChain chat model: with_structured_output(...).invoke(messages)."""

    def __init__(self, reply: Any, delay: float = 0.0) -> None:
        self.reply, self.delay = reply, delay
        self.messages: list[Any] = []
        self.kwargs: dict[str, Any] = {}

    def with_structured_output(self, schema: Any, **kwargs: Any) -> ScriptedModel:
        self.kwargs = kwargs
        return self

    def invoke(self, messages: Any) -> Any:
        self.messages = messages
        time.sleep(self.delay)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def make_request(bank: RubricBank) -> ProbeRequest:
    loaded = bank.get_rubric("max-depth")
    return ProbeRequest(loaded, fake_grade(loaded, VAGUE), (VAGUE,), (loaded.rubric.question,),
                        ())


def policy_for(model: ScriptedModel, timeout: float = 2.0) -> LlmPolicy:
    return LlmPolicy(model, load_prompt(default_prompts_dir()), timeout=timeout)  # type: ignore[arg-type]


def test_spec_parsing() -> None:
    assert parse_llm_spec(None) == LlmSpec("none")
    assert parse_llm_spec("openai:gpt-4o-mini") == LlmSpec("openai", "gpt-4o-mini")
    assert str(parse_llm_spec("ollama:qwen2.5:0.5b")) == "ollama:qwen2.5:0.5b"
    for bad in ("gpt4", "openai:", "claude:x", "llamacpp:/no/such.gguf"):
        with pytest.raises(ConfigError):
            parse_llm_spec(bad)
    assert create_chat_model(LlmSpec("none")) is None
    model = create_chat_model(LlmSpec("openai", "x"), base_url="http://127.0.0.1:9/v1",
                              timeout=3)
    assert model is not None and model.extra_body == {"max_tokens": 96}  # type: ignore[attr-defined]


def test_prompt_has_both_sections_and_a_content_hash(tmp_path: Path) -> None:
    prompt = load_prompt(default_prompts_dir())
    system, user = prompt.render(question="Q?", point_description="D", authored_probe="P?",
                                 answers=["a1"], asked=["Q?"])
    assert "ONE" in system and '"a1"' in user and "D" in user
    assert len(prompt.sha256) == 64 and prompt.version.startswith("followup@")
    (tmp_path / "followup.md").write_text("no sections", encoding="utf-8")
    with pytest.raises(ConfigError, match="section"):
        load_prompt(tmp_path)


def test_a_valid_proposal_is_used(real_bank: RubricBank) -> None:
    model = ScriptedModel(
        FollowUpProposal(question="Why would a deeper tree pick up patterns you don't want?")
    )
    decision = policy_for(model).decide(make_request(real_bank))
    assert decision.policy == "llm" and decision.fallback_reason is None
    assert decision.probe == "Why would a deeper tree pick up patterns you don't want?"
    assert decision.targets == "learns-noise"
    assert model.kwargs == {"method": "function_calling"}


@pytest.mark.parametrize(
    ("proposal", "reason"),
    [
        ("Deeper trees memorise the noise, right?", "reveals the answer"),
        ("Tell me about yourself. What is your name?", "single question"),
        ("Ok?", "too short"),
        ("How was your weekend with your family and friends?", "not about the targeted point"),
        ("A common parameter used in decision trees is max depth. Why is that a good parameter?",
         "repeats"),
    ],
)
def test_invalid_proposals_fall_back_with_a_reason(
    real_bank: RubricBank, proposal: str, reason: str
) -> None:
    decision = policy_for(ScriptedModel(FollowUpProposal(question=proposal))).decide(
        make_request(real_bank)
    )
    assert decision.policy == "rubric"
    assert decision.fallback_reason is not None and reason in decision.fallback_reason
    assert decision.probe and "patterns you don't want" in decision.probe


def test_errors_and_timeouts_fall_back(real_bank: RubricBank) -> None:
    failed = policy_for(ScriptedModel(ConnectionError("refused"))).decide(make_request(real_bank))
    assert failed.fallback_reason == "error: ConnectionError: refused"
    started = time.monotonic()
    slow = policy_for(ScriptedModel(None, delay=3), timeout=0.3).decide(make_request(real_bank))
    assert slow.fallback_reason is not None and slow.fallback_reason.startswith("timeout")
    assert time.monotonic() - started < 2


def test_authored_probes_are_on_topic_and_give_nothing_away(real_bank: RubricBank) -> None:
    request = make_request(real_bank)
    for point in request.loaded.rubric.key_points:
        assert point.probe is not None
        problems = validate_probe(point.probe, point, request)
        # authors may ask two short questions at once; an LLM proposal may not
        assert problems in ([], ["not a single question ending in '?'"]), point.id
