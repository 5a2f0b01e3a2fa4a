"""LLM plumbing, a low layer: the chat-model client (``--llm`` specs, a private llama.cpp server),
prompt templates, and calls with a hard timeout.

Nothing here knows about rubrics, grades or interviews; the LLM judge (``grading``) and the
follow-up wording (``agent``) both build on it, so a timeout or a prompt means the same in both.
"""
