"""Issue 18 part 5, side by side with the peer: llama-cpp-python's own OpenAI-compatible server
(``python -m llama_cpp.server``) against our HTTP → Redis → Celery worker → DB path, in one run, on the
same transcripts, the same chat messages, sampling settings and section grammar, with 1 and 2 requests in
flight. Prints s/note p50 and notes/min per side and the ratio ours/peer (goal: ours ≥ 1.2x the peer).

Both sides are driven the same way, closed loop: ``c`` client threads, each sending its next request as
soon as its previous note is back (the peer: POST /v1/chat/completions, no streaming; ours: POST
generate-notes, then GET the job every ``--poll-interval`` s until it is no longer queued or running).
For each concurrency the peer runs first, then ours, each alone on the machine (the other side is
stopped), each after ``c`` untimed warm-up requests.

The peer runs from a throwaway venv outside the repo (created on first use, reused after) holding
llama-cpp-python[server]==0.3.36 from the locally built wheel. Our side does more than the peer per note
(risk screening, validation and repair, grounding, the DB writes): that is part of what is measured.

Run: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/peer_server.py -n 30
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "therapy_notes.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402

from bench.stack import create_session, free_port, percentile, poll_job, running_stack  # noqa: E402
from bench.transcripts import load_transcripts  # noqa: E402
from summarizer.config import InferenceConfig  # noqa: E402
from summarizer.engine import LlamaInferenceEngine, NoteEngine  # noqa: E402
from summarizer.grammar import section_grammar  # noqa: E402
from summarizer.model_registry import default_entry  # noqa: E402
from summarizer.notes import session_note_prompt  # noqa: E402
from summarizer.prompts import Message  # noqa: E402
from summarizer.risk import detect_risks  # noqa: E402
from summarizer.text import normalise_whitespace  # noqa: E402
from workers.model_holder import inference_config_from_settings  # noqa: E402

PEER_VERSION = "0.3.36"
PEER_VENV = Path.home() / ".cache" / "therapy-notes" / "peer-venv"
WHEELS = Path.home() / ".cache" / "therapy-notes" / "wheels"
# Our best worker layout per number of notes in flight, (processes, threads each), from bench/RESULTS.md
# "Benchmark 3" on this 2-core host: one note at a time gets both cores in one worker (1 x 2: 7.6 notes/min
# against 6.6 for 1 x 1); two at a time run best as two 1-thread processes (2 x 1: 9.7 notes/min).
OUR_LAYOUT = {1: (1, 2), 2: (2, 1)}


# ---------------------------------------------------------------- what both sides are asked


def worker_messages(engine: NoteEngine, transcript: str) -> list[Message]:
    """The chat messages ``summarize_single_session`` sends the model for ``transcript``: the same context
    budget, the same fitting of a long transcript, whitespace normalising and markup escaping."""
    return session_note_prompt(engine, transcript, detect_risks(normalise_whitespace(transcript)))[1]


def chat_body(messages: list[Message], cfg: InferenceConfig, grammar: str | None) -> dict[str, Any]:
    """The /v1/chat/completions request with the worker's sampling settings (and its grammar, when it uses
    one): llama-cpp-python's server takes top_k, repeat_penalty, seed and grammar beside the OpenAI fields."""
    body: dict[str, Any] = {
        "messages": messages, "max_tokens": cfg.max_tokens, "temperature": cfg.temperature, "top_p": cfg.top_p,
        "top_k": cfg.top_k, "repeat_penalty": cfg.repeat_penalty, "seed": cfg.seed, "stream": False,
    }
    if grammar is not None:
        body["grammar"] = grammar
    return body


# ---------------------------------------------------------------- driving and summarising


@dataclass
class Measured:
    side: str
    concurrency: int
    layout: str
    seconds: float = 0.0  # first request sent → last note back
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    tokens: list[int] = field(default_factory=list)  # completion tokens per note


def closed_loop(items: Sequence[Any], concurrency: int, send: Callable[[Any], tuple[bool, int]]) -> Measured:
    """``concurrency`` threads, each sending its next item as soon as ``send`` returns for the previous one.
    ``send`` returns (note ok, completion tokens)."""
    todo: queue.Queue[Any] = queue.Queue()
    for item in items:
        todo.put(item)
    out = Measured("", concurrency, "")
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client() -> None:
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                ok, tokens = send(item)
            except Exception as exc:  # noqa: BLE001 - re-raised in the main thread below
                errors.append(exc)
                return
            with lock:
                out.latencies.append(time.perf_counter() - started)
                out.ok += ok
                out.tokens.append(tokens)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return out


@dataclass(frozen=True)
class Row:
    side: str
    concurrency: int
    layout: str
    notes: int
    ok: int
    seconds: float
    p50: float
    per_minute: float
    tokens_mean: float
    ratio: float | None  # ours / peer notes/min at the same concurrency; None on the peer's rows


def table_rows(results: Sequence[Measured]) -> list[Row]:
    peer = {m.concurrency: len(m.latencies) / m.seconds * 60 for m in results if m.side == "peer" and m.seconds}
    rows = []
    for m in results:
        per_minute = len(m.latencies) / m.seconds * 60 if m.seconds else 0.0
        ratio = per_minute / peer[m.concurrency] if m.side == "ours" and peer.get(m.concurrency) else None
        rows.append(Row(m.side, m.concurrency, m.layout, len(m.latencies), m.ok, m.seconds,
                        percentile(m.latencies, 50), per_minute,
                        sum(m.tokens) / len(m.tokens) if m.tokens else 0.0, ratio))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    lines = [f"{'side':<5} {'conc':>4} {'layout':<28} {'ok/notes':>8} {'seconds':>8} {'s/note p50':>10} "
             f"{'notes/min':>9} {'tokens':>6} {'ours/peer':>9}"]
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        lines.append(f"{r.side:<5} {r.concurrency:>4} {r.layout:<28} {r.ok:>3}/{r.notes:<4} {r.seconds:>8.1f} "
                     f"{r.p50:>10.2f} {r.per_minute:>9.2f} {r.tokens_mean:>6.0f} {ratio:>9}")
    return "\n".join(lines)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


# ---------------------------------------------------------------- the peer


def ensure_peer_venv(venv: Path = PEER_VENV, wheels: Path = WHEELS) -> Path:
    """The peer's python, creating its venv on first use. The wheel must come from the local cache
    (--only-binary): building llama.cpp again would take ~8 minutes of both cores."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import llama_cpp.server.app, uvicorn, llama_cpp; print(llama_cpp.__version__)"]
    if python.exists():
        done = subprocess.run(check, capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == PEER_VERSION:
            return python
    print(f"# creating the peer venv {venv} (llama-cpp-python[server]=={PEER_VERSION}, wheel from {wheels})")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--find-links", str(wheels),
                    "--only-binary", "llama-cpp-python", f"llama-cpp-python[server]=={PEER_VERSION}"], check=True)
    subprocess.run(check, check=True, capture_output=True)
    return python


def peer_command(python: Path, model: str, lora: str | None, cfg: InferenceConfig, threads: int,
                 port: int) -> list[str]:
    command = [str(python), "-m", "llama_cpp.server", "--model", model, "--n_ctx", str(cfg.n_ctx),
               "--n_threads", str(threads), "--n_threads_batch", str(threads), "--seed", str(cfg.seed),
               # The server's default keeps logits for every position (we never ask for them, the worker does
               # not keep them either); interrupting only applies to streams, which we do not use.
               "--logits_all", "False", "--interrupt_requests", "False", "--verbose", "False",
               "--host", "127.0.0.1", "--port", str(port)]
    if lora:
        command += ["--lora_path", lora]
    return command


@contextmanager
def peer_server(command: list[str], port: int, logdir: Path) -> Iterator[str]:
    log = (logdir / "peer.log").open("a")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"peer server exited with {proc.returncode}; see {logdir / 'peer.log'}")
            try:
                if requests.get(f"{url}/v1/models", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("peer server not ready after 120 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_peer(command: list[str], port: int, logdir: Path, bodies: list[dict[str, Any]], concurrency: int,
             layout: str) -> Measured:
    with peer_server(command, port, logdir) as url:
        http = threading.local()

        def send(body: dict[str, Any]) -> tuple[bool, int]:
            if not hasattr(http, "session"):
                http.session = requests.Session()
            response = http.session.post(f"{url}/v1/chat/completions", json=body, timeout=300)
            if response.status_code != 200:
                return False, 0
            answer = response.json()
            return bool(answer["choices"][0]["message"]["content"]), answer["usage"]["completion_tokens"]

        closed_loop(bodies[:concurrency], concurrency, send)  # warm-up, untimed
        measured = closed_loop(bodies, concurrency, send)
    measured.side, measured.layout = "peer", layout
    return measured


# ---------------------------------------------------------------- ours


def run_ours(transcripts: list[str], concurrency: int, poll_interval: float) -> tuple[Measured, dict[str, Any]]:
    workers, threads = OUR_LAYOUT[concurrency]
    with running_stack(workers=workers, extra_env={"THERAPY_NOTES_N_THREADS": str(threads)}) as stack:
        patient_id, sessions = None, []
        for number, text in enumerate([*transcripts[:concurrency], *transcripts], start=1):
            patient_id, session_id = create_session(stack, text, number, patient_id)
            sessions.append(session_id)
        identity: dict[str, Any] = {}

        def send(session_id: int) -> tuple[bool, int]:
            job = requests.post(f"{stack.base_url}/api/sessions/{session_id}/generate-notes", json={},
                                headers=stack.headers(), timeout=30).json()
            job = poll_job(stack, job["poll_url"], interval=poll_interval)
            identity.update(job.get("model_identity") or {})
            ok = job["status"] == "succeeded" and not (job.get("result") or {}).get("fallback", True)
            return ok, job.get("completion_tokens") or 0

        closed_loop(sessions[:concurrency], concurrency, send)  # warm-up, untimed
        measured = closed_loop(sessions[concurrency:], concurrency, send)
    measured.side, measured.layout = "ours", f"{plural(workers, 'worker')} x {plural(threads, 'thread')}"
    return measured, identity


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=30, help="notes per side and concurrency (default 30, ~10 min)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2], choices=sorted(OUR_LAYOUT))
    entry = default_entry(Path(settings.MODELS_DIR))
    parser.add_argument("--peer-model", default=str(entry.path(entry.base, Path(settings.MODELS_DIR))) if entry
                        else None, help="GGUF the peer serves (default: the registry's base file)")
    parser.add_argument("--peer-lora", default=str(entry.path(entry.adapter, Path(settings.MODELS_DIR)))
                        if entry and entry.adapter else "", help="adapter GGUF for the peer ('' for none; "
                        "default: the registry's adapter)")
    parser.add_argument("--peer-threads", type=int, default=2, help="the peer's n_threads and n_threads_batch")
    parser.add_argument("--poll-interval", type=float, default=0.1, help="our client's job polling period")
    args = parser.parse_args()
    if not args.peer_model:
        parser.error("no registry entry: pass --peer-model")

    began = time.perf_counter()
    cfg = inference_config_from_settings()  # what our workers load and how they sample
    transcripts = load_transcripts(args.n)
    engine = LlamaInferenceEngine(cfg)  # only to count tokens as the worker does when fitting a transcript
    engine.load()
    messages = [worker_messages(engine, text) for text in transcripts]
    engine.unload()
    grammar = section_grammar() if cfg.use_grammar else None
    bodies = [chat_body(m, cfg, grammar) for m in messages]
    python = ensure_peer_venv()
    logdir = Path(tempfile.mkdtemp(prefix="tn-peer-"))

    print(f"# peer server  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  cores={os.cpu_count()}  "
          f"notes={args.n} per side and concurrency  llama-cpp-python {PEER_VERSION} on both sides  "
          f"load avg {os.getloadavg()[0]:.2f}")
    print(f"# ours: model={cfg.model_path} lora={cfg.lora_path} (workers/model_selection.py)")
    print(f"# peer: model={args.peer_model} lora={args.peer_lora or None} (python -m llama_cpp.server, "
          f"n_threads={args.peer_threads}, logits_all off)")
    print(f"# both: n_ctx={cfg.n_ctx} max_tokens={cfg.max_tokens} temperature={cfg.temperature} top_p={cfg.top_p} "
          f"top_k={cfg.top_k} repeat_penalty={cfg.repeat_penalty} seed={cfg.seed} "
          f"section grammar {'sent to both' if grammar else 'off on both'}; same chat messages")
    print(f"# driver: closed loop, c client threads each sending its next request when the last is back; ours "
          f"polls the job every {args.poll_interval} s; c untimed warm-up requests first in each phase")

    results: list[Measured] = []
    for concurrency in args.concurrency:
        port = free_port()
        command = peer_command(python, args.peer_model, args.peer_lora or None, cfg, args.peer_threads, port)
        peer = run_peer(command, port, logdir, bodies, concurrency,
                        f"1 server x {plural(args.peer_threads, 'thread')}")
        print(f"  peer c={concurrency}: {len(peer.latencies) / peer.seconds * 60:.2f} notes/min")
        ours, identity = run_ours(transcripts, concurrency, args.poll_interval)
        print(f"  ours c={concurrency}: {len(ours.latencies) / ours.seconds * 60:.2f} notes/min  "
              f"(jobs' model_identity: model_file={identity.get('model_file')} adapter={identity.get('adapter')}; "
              "with a merged model_file the adapter is the one merged into it)")
        results += [peer, ours]
    print(format_table(table_rows(results)))
    print("goal: ours >= 1.20x the peer's notes/min at the same concurrency; "
          "ok = our job succeeded without the extractive fallback / the peer answered 200 with text; "
          f"whole bench {(time.perf_counter() - began) / 60:.1f} min, load avg at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
