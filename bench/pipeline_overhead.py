"""Benchmark 1: per-note latency of raw llama-cpp-python vs the full product path.

(a) raw: one process, llama_cpp.Llama.create_chat_completion with the same messages, grammar
    and sampling the worker uses;
(b) full: HTTP submit → Redis → Celery worker → DB → poll until `succeeded`.
Prints p50/p95 for both and the ratio b/a. Run: .venv/bin/python bench/pipeline_overhead.py -n 10
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "therapy_notes.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

import requests  # noqa: E402

from bench.stack import create_session, percentile, poll_job, running_stack  # noqa: E402
from bench.transcripts import load_transcripts  # noqa: E402
from summarizer.grammar import section_grammar  # noqa: E402
from summarizer.prompts import build_session_note_messages  # noqa: E402
from workers.model_holder import inference_config_from_settings  # noqa: E402


def raw_latencies(transcripts: list[str]) -> list[float]:
    from llama_cpp import Llama, LlamaGrammar

    cfg = inference_config_from_settings()
    llm = Llama(model_path=cfg.model_path, lora_path=cfg.lora_path, n_ctx=cfg.n_ctx, n_threads=cfg.n_threads,
                n_threads_batch=cfg.n_threads, seed=cfg.seed, verbose=False)
    grammar = LlamaGrammar.from_string(section_grammar(), verbose=False) if cfg.use_grammar else None
    out = []
    for text in transcripts:
        started = time.perf_counter()
        llm.create_chat_completion(
            messages=build_session_note_messages(text), max_tokens=cfg.max_tokens, temperature=cfg.temperature,
            top_p=cfg.top_p, top_k=cfg.top_k, repeat_penalty=cfg.repeat_penalty, seed=cfg.seed, grammar=grammar,
        )
        out.append(time.perf_counter() - started)
    llm.close()
    return out


def pipeline_latencies(transcripts: list[str], poll_interval: float) -> tuple[list[float], list[float], list[float]]:
    end_to_end, server_side, inference = [], [], []
    with running_stack(workers=1) as stack:
        patient_id = None
        for number, text in enumerate(transcripts, start=1):
            patient_id, session_id = create_session(stack, text, number, patient_id)
            started = time.perf_counter()
            job = requests.post(f"{stack.base_url}/api/sessions/{session_id}/generate-notes", json={},
                                headers=stack.headers(), timeout=30).json()
            job = poll_job(stack, job["poll_url"], interval=poll_interval)
            end_to_end.append(time.perf_counter() - started)
            if job["status"] != "succeeded":
                raise SystemExit(f"job failed: {job['error_message']}")
            inference.append(job["inference_seconds"])
            server_side.append((datetime.fromisoformat(job["finished_at"]) -
                                datetime.fromisoformat(job["created_at"])).total_seconds())
    return end_to_end, server_side, inference


def describe(name: str, values: list[float]) -> str:
    return (f"{name:<34} n={len(values):<3} p50={percentile(values, 50):6.2f}s  p95={percentile(values, 95):6.2f}s"
            f"  mean={statistics.fmean(values):6.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10, help="number of transcripts")
    parser.add_argument("--poll-interval", type=float, default=0.1,
                        help="client polling period; every poll is an HTTP request that competes for the CPU")
    args = parser.parse_args()
    transcripts = load_transcripts(args.n)
    print(f"# pipeline overhead  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  "
          f"cores={os.cpu_count()}  model={inference_config_from_settings().model_path.split('/')[-1]}")
    raw_latencies(transcripts[:1])  # warm the page cache so neither side pays the first read
    raw = raw_latencies(transcripts)
    full, server, inference = pipeline_latencies(transcripts, args.poll_interval)
    print(describe("(a) raw llama-cpp-python", raw))
    print(describe("(b) HTTP→Redis→worker→DB→poll", full))
    print(describe("    server side: created→finished", server))
    print(describe("    of which worker summarizer", inference))
    ratio50 = percentile(full, 50) / percentile(raw, 50)
    ratio95 = percentile(full, 95) / percentile(raw, 95)
    print(f"ratio b/a: p50 {ratio50:.3f} ({(ratio50 - 1) * 100:+.1f}%)  p95 {ratio95:.3f}  goal: p50 overhead <= 10%")


if __name__ == "__main__":
    main()
