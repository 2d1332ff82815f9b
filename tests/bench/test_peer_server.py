"""bench/peer_server.py's pure parts: the peer is asked exactly what our worker asks the model, with the
worker's sampling and grammar, and the table's ratio is ours over the peer at the same concurrency."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.peer_server import Measured, chat_body, peer_command, table_rows, worker_messages
from summarizer.config import InferenceConfig
from summarizer.grammar import section_grammar
from summarizer.notes import summarize_single_session
from summarizer.prompts import build_session_note_messages
from tests.summarizer.fakes import ScriptedEngine

NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious.\n"
        "**Risk:** None reported.\n**Intervention:** Thought record.\n**Plan:** Sleep diary; review next week.")
SHORT = ("Therapist: How was   the week?\nPatient: Stressful. My boss wrote {{RED: urgent}} on my report and\n\n"
         "I could not sleep much. Therapist: Let's try a thought record.")


def _sent_by_worker(engine: ScriptedEngine, transcript: str) -> list[dict[str, str]]:
    summarize_single_session(engine, transcript)
    assert engine.calls == 1
    return engine.last_messages


def test_messages_are_the_workers_for_a_transcript_that_fits() -> None:
    engine = ScriptedEngine(text=NOTE)
    mine = worker_messages(engine, SHORT)
    assert mine == _sent_by_worker(engine, SHORT)
    # Not the naive prompt: the worker normalises whitespace and escapes quoted markup.
    assert mine != build_session_note_messages(SHORT)
    assert "{{RED" not in mine[1]["content"]


def test_messages_are_the_workers_for_a_transcript_condensed_to_fit() -> None:
    engine = ScriptedEngine(text=NOTE, config=InferenceConfig(model_path="fake.gguf", n_ctx=400, max_tokens=50))
    long = " ".join(f"Patient: On day {i} I walked to work and felt tired by noon. Therapist: Tell me more."
                    for i in range(80))
    mine = worker_messages(engine, long)
    assert mine == _sent_by_worker(engine, long)
    assert len(mine[1]["content"].split()) < len(long.split()) / 2


def test_chat_body_carries_the_workers_sampling_and_grammar() -> None:
    cfg = InferenceConfig(model_path="m.gguf", max_tokens=123, temperature=0.3, top_p=0.8, top_k=7,
                          repeat_penalty=1.3, seed=99)
    messages = build_session_note_messages("Patient: hello there, I slept badly all week.")
    body = chat_body(messages, cfg, section_grammar())
    assert body["messages"] is messages
    assert (body["max_tokens"], body["temperature"], body["top_p"], body["top_k"], body["repeat_penalty"],
            body["seed"], body["stream"]) == (123, 0.3, 0.8, 7, 1.3, 99, False)
    assert body["grammar"] == section_grammar()
    assert "grammar" not in chat_body(messages, cfg, None)


def test_peer_command_names_the_adapter_only_when_there_is_one() -> None:
    cfg = InferenceConfig(model_path="m.gguf", n_ctx=2048, seed=1234)
    with_lora = peer_command(Path("py"), "base.gguf", "lora.gguf", cfg, 2, 8123)
    assert with_lora[with_lora.index("--lora_path") + 1] == "lora.gguf"
    assert with_lora[with_lora.index("--n_threads_batch") + 1] == "2"
    assert with_lora[with_lora.index("--logits_all") + 1] == "False"
    assert "--lora_path" not in peer_command(Path("py"), "merged.gguf", None, cfg, 2, 8123)


def test_table_ratio_is_ours_over_the_peer_at_the_same_concurrency() -> None:
    results = [
        Measured("peer", 1, "1 server x 2 threads", 60.0, [6.0] * 10, 10, [90] * 10),
        Measured("ours", 1, "1 worker x 2 thread", 60.0, [5.0] * 12, 12, [90] * 12),
        Measured("peer", 2, "1 server x 2 threads", 60.0, [12.0, 11.0, 13.0] * 4, 12, [90] * 12),
        Measured("ours", 2, "2 worker x 1 thread", 30.0, [4.0] * 9, 8, [90] * 9),
    ]
    rows = {(r.side, r.concurrency): r for r in table_rows(results)}
    assert rows["peer", 1].ratio is None
    assert rows["ours", 1].per_minute == pytest.approx(12.0)
    assert rows["ours", 1].ratio == pytest.approx(1.2)
    assert rows["ours", 2].ratio == pytest.approx(18.0 / 12.0)
    assert rows["peer", 2].p50 == pytest.approx(12.0)
    assert rows["ours", 2].ok == 8
