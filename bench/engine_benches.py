"""Engine-level benchmarks (no queue): prompt-prefix KV reuse and constrained-decoding cost.

Benchmark 2 (prefix reuse): the system prompt is identical for every note and comes first,
so llama-cpp-python can keep its KV state between consecutive calls on one Llama and only
evaluate the new transcript. We time prompt evaluation (max_tokens=1) with the cache kept
vs. reset before every call.
Benchmark 5 (grammar cost): tokens/s with and without the section grammar, same prompts.

Run: .venv/bin/python bench/engine_benches.py -n 8
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "therapy_notes.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from bench.transcripts import load_transcripts  # noqa: E402
from summarizer.grammar import section_grammar  # noqa: E402
from summarizer.prompts import (  # noqa: E402
    SESSION_NOTE_SYSTEM_PROMPT,
    SessionText,
    build_multi_session_messages,
    build_session_note_messages,
)
from workers.model_holder import inference_config_from_settings  # noqa: E402


def _llm():
    from llama_cpp import Llama

    cfg = inference_config_from_settings()
    return cfg, Llama(model_path=cfg.model_path, lora_path=cfg.lora_path, n_ctx=cfg.n_ctx,
                      n_threads=cfg.n_threads, n_threads_batch=cfg.n_threads, seed=cfg.seed, verbose=False)


def prefix_reuse(transcripts: list[str]) -> None:
    cfg, llm = _llm()
    system_tokens = len(llm.tokenize(SESSION_NOTE_SYSTEM_PROMPT.encode(), add_bos=False))

    def prompt_eval(reset: bool) -> list[float]:
        times = []
        llm.create_chat_completion(messages=build_session_note_messages("warm up"), max_tokens=1)
        for text in transcripts:
            if reset:
                llm.reset()
            started = time.perf_counter()
            llm.create_chat_completion(messages=build_session_note_messages(text), max_tokens=1, temperature=0)
            times.append(time.perf_counter() - started)
        return times

    cold = prompt_eval(reset=True)
    warm = prompt_eval(reset=False)
    print(f"system prompt: {system_tokens} tokens (shared prefix of every note prompt)")
    for label, values in (("KV reset each call", cold), ("prefix reused", warm)):
        mean, median = statistics.fmean(values), statistics.median(values)
        print(f"prompt eval, {label:<19}: mean {mean:.3f}s  median {median:.3f}s")
    print(f"speed-up from prefix reuse: {statistics.fmean(cold) / statistics.fmean(warm):.2f}x "
          f"(saves {statistics.fmean(cold) - statistics.fmean(warm):.3f}s per note)")
    llm.close()


def prefix_after_other_kind(transcripts: list[str]) -> None:
    """Notes that follow a course summary (another system prompt): whole prompt again, or the note's
    system-prompt KV restored by the engine's PrefixStates (summarizer/prefix_cache.py)."""
    from dataclasses import replace

    from summarizer.engine import LlamaInferenceEngine

    base = inference_config_from_settings()
    summary = build_multi_session_messages([SessionText(1, "2026-11-01", "Client reported better sleep."),
                                            SessionText(2, "2026-11-08", "Client practised breathing daily.")])
    figures = {}
    for label, keep in (("no saved prefix", False), ("prefix restored", True)):
        engine = LlamaInferenceEngine(replace(base, keep_prefix_states=keep))
        engine.load()
        engine.generate(build_session_note_messages("warm up"), max_tokens=1)
        times = []
        for text in transcripts:
            engine.generate(summary, max_tokens=1)
            started = time.perf_counter()
            engine.generate(build_session_note_messages(text), max_tokens=1)
            times.append(time.perf_counter() - started)
        figures[label] = times
        restores = engine._prefixes.restores if engine._prefixes else 0
        print(f"note prompt eval after a summary, {label:<15}: mean {statistics.fmean(times):.3f}s  "
              f"median {statistics.median(times):.3f}s  (restores {restores})")
        engine.unload()
    cold, warm = figures["no saved prefix"], figures["prefix restored"]
    print(f"speed-up from the saved prefix: {statistics.fmean(cold) / statistics.fmean(warm):.2f}x "
          f"(saves {statistics.fmean(cold) - statistics.fmean(warm):.3f}s per note after another kind of job)")


def grammar_cost(transcripts: list[str], max_tokens: int) -> None:
    from llama_cpp import LlamaGrammar

    cfg, llm = _llm()
    grammar = LlamaGrammar.from_string(section_grammar(), verbose=False)
    for label, g in (("unconstrained", None), ("section grammar", grammar)):
        tokens = 0
        seconds = 0.0
        for text in transcripts:
            messages = build_session_note_messages(text)
            llm.create_chat_completion(messages=messages, max_tokens=1)  # prompt in cache for both arms
            started = time.perf_counter()
            out = llm.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=cfg.temperature,
                                             seed=cfg.seed, grammar=g)
            seconds += time.perf_counter() - started
            tokens += out["usage"]["completion_tokens"]
        rate = tokens / seconds
        print(f"{label:<16} {tokens:5d} tokens in {seconds:6.2f}s = {rate:6.1f} tokens/s")
        if g is None:
            baseline = rate
    print(f"grammar decoding speed vs unconstrained: {rate / baseline:.2f}x")
    llm.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=160)
    args = parser.parse_args()
    transcripts = load_transcripts(args.n)
    cfg = inference_config_from_settings()
    print(f"# engine benches  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  cores={os.cpu_count()}  "
          f"model={Path(cfg.model_path).name} adapter={Path(cfg.lora_path).name if cfg.lora_path else None} "
          f"n_threads={cfg.n_threads}")
    print("## benchmark 2: prompt prefix reuse")
    prefix_reuse(transcripts)
    print("## benchmark 2b: prompt prefix kept across job kinds (note after a course summary)")
    prefix_after_other_kind(transcripts)
    print("## benchmark 5: constrained decoding cost")
    grammar_cost(transcripts, args.max_tokens)


if __name__ == "__main__":
    main()
