"""Issue 18, part 4: notes while a CPU hog keeps one core busy, for n_threads 1, 2 and adaptive.

For each configuration the engine (loaded directly, the workers' default model selection) writes a note for
each of K transcripts with the machine idle, then again while a subprocess spins on one core (pinned to core
0 unless --unpinned). Printed: p50/p95 seconds per note, decoding tokens/s, the ratio to the same
configuration's idle p50, the threads the notes ran with, how many would have passed the generation timeout
(InferenceConfig.timeout_seconds), and how many generations the worker's metrics would count as slow.
Generation is not cut at the timeout here (up to --cap seconds), so a slow note's real time is seen.

Then the real note path jobs use (summarizer.notes.summarize_single_session, with the real timeout and the
default settings) writes the K notes under the hog, to show whether any note fell back.

Run: .venv/bin/python bench/cpu_hog.py     (k=5: about 7 minutes on the 2-core host; -k 2 for a smoke run)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "therapy_notes.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

import psutil  # noqa: E402

from bench.transcripts import load_transcripts  # noqa: E402
from summarizer.config import InferenceConfig  # noqa: E402
from summarizer.cpu_threads import CpuSampler, cgroup_cpu_quota  # noqa: E402
from summarizer.engine import GenerationSpeed, LlamaInferenceEngine  # noqa: E402
from summarizer.grammar import section_grammar  # noqa: E402
from summarizer.notes import NoteOptions, summarize_single_session  # noqa: E402
from summarizer.prompts import build_session_note_messages  # noqa: E402
from summarizer.text import escape_markup, normalise_whitespace  # noqa: E402
from workers.metrics import WorkerCounters  # noqa: E402
from workers.model_holder import inference_config_from_settings  # noqa: E402

HOG_CODE = "while True:\n    pass\n"
NOT_IDLE_CORES = 0.3  # other processes' use during the "idle" notes above which the bench says they were not


@contextmanager
def cpu_hog(pinned: bool) -> Iterator[dict[str, float]]:
    """A process spinning on one core (core 0 when pinned) for the duration; yields what it used, filled in
    when it stops (``cores``: CPU seconds per wall second, ~1.0 when it really kept a core busy)."""
    hog = subprocess.Popen([sys.executable, "-c", HOG_CODE])
    if pinned:
        os.sched_setaffinity(hog.pid, {0})
    usage: dict[str, float] = {}
    started = time.perf_counter()
    time.sleep(1.0)  # running, and in the CPU counters, before the first note
    try:
        yield usage
    finally:
        times = psutil.Process(hog.pid).cpu_times()
        usage["cores"] = (times.user + times.system) / (time.perf_counter() - started)
        hog.kill()
        hog.wait()


def note_messages(text: str) -> list[dict[str, str]]:
    # As summarize_single_session builds them (the bench transcripts fit the context whole).
    return build_session_note_messages(escape_markup(normalise_whitespace(text)))


def others_cores(sampler: CpuSampler, before: tuple[float, float, float]) -> float:
    """Cores other processes kept busy since ``before`` (wall, busy, own)."""
    now = sampler()
    return max(now.busy - before[1] - (now.own - before[2]), 0.0) / (now.at - before[0])


@dataclass
class Scenario:
    label: str
    seconds: list[float] = field(default_factory=list)
    speeds: list[GenerationSpeed] = field(default_factory=list)
    others: float = 0.0  # cores other processes used meanwhile (the hog, or whatever else ran)
    hog_cores: float | None = None

    def p(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def run_notes(engine: LlamaInferenceEngine, transcripts: list[str], grammar: str | None, label: str,
              sampler: CpuSampler) -> Scenario:
    scenario = Scenario(label)
    engine.on_generation = scenario.speeds.append
    start = sampler()
    for text in transcripts:
        started = time.perf_counter()
        engine.generate(note_messages(text), grammar=grammar)
        scenario.seconds.append(time.perf_counter() - started)  # the thread choice's own cost included
    scenario.others = others_cores(sampler, (start.at, start.busy, start.own))
    engine.on_generation = None
    return scenario


def busiest_processes(seconds: float = 1.0) -> str:
    """The processes other than this one that used 5% of a core or more over ``seconds``."""
    processes = [p for p in psutil.process_iter(["name"]) if p.pid != os.getpid()]
    for process in processes:
        try:
            process.cpu_percent()
        except psutil.Error:
            pass
    time.sleep(seconds)
    used = []
    for process in processes:
        try:
            used.append((process.cpu_percent(), f"{process.info['name']}[{process.pid}]"))
        except psutil.Error:
            pass
    busy = [f"{name} {percent:.0f}%" for percent, name in sorted(used, reverse=True) if percent >= 5]
    return ", ".join(busy[:5]) or "none above 5%"


def median_rate(speeds: list[GenerationSpeed]) -> float:
    rates = [s.tokens_per_second for s in speeds if s.tokens_per_second]
    return statistics.median(rates) if rates else float("nan")


def threads_used(speeds: list[GenerationSpeed]) -> str:
    return ",".join(f"{n}x{t}" for t, n in sorted(Counter(s.threads for s in speeds).items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", type=int, default=5, help="transcripts per scenario (default 5)")
    parser.add_argument("--unpinned", action="store_true", help="leave the hog unpinned (default: core 0)")
    parser.add_argument("--cap", type=float, default=90.0, help="seconds at which a bench generation is cut")
    parser.add_argument("--no-real-path", action="store_true", help="skip the summarize_single_session run")
    args = parser.parse_args()

    base = inference_config_from_settings()
    transcripts = load_transcripts(args.k + 1)
    warm_up, transcripts = transcripts[-1], transcripts[: args.k]
    grammar = section_grammar() if base.use_grammar else None
    quota = cgroup_cpu_quota()
    sampler = CpuSampler()
    print(f"# cpu hog bench  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  cores={os.cpu_count()}  "
          f"affinity={sampler.cpus}  cgroup v2 quota={quota.cores if quota else None}  k={args.k}")
    print(f"model={Path(base.model_path).name} adapter={Path(base.lora_path).name if base.lora_path else None} "
          f"entry={base.registry_entry or '-'}  grammar={base.use_grammar}  max_tokens={base.max_tokens}  "
          f"timeout={base.timeout_seconds:g}s  defaults: n_threads={base.n_threads} "
          f"adaptive={base.adaptive_threads}")
    print(f"hog: 1 process spinning, {'unpinned' if args.unpinned else 'pinned to core 0'}; "
          f"load average before start {os.getloadavg()[0]:.2f}")
    print(f"others using CPU at start: {busiest_processes()}")

    configurations = (("1 thread", 1, False), ("2 threads", 2, False), ("adaptive (max 2)", 2, True))
    header = (f"{'configuration':<17} {'scenario':<5} {'p50 s':>6} {'p95 s':>6} {'x idle':>6} {'tok/s':>6} "
              f"{'threads':>9} {'>' + format(base.timeout_seconds, 'g') + 's':>5} {'slow':>4} {'others':>6}")
    print(header)
    rows: list[str] = []
    for label, threads, adaptive in configurations:
        config = replace(base, n_threads=threads, adaptive_threads=adaptive, timeout_seconds=args.cap)
        engine = LlamaInferenceEngine(config)
        engine.load()
        engine.generate(note_messages(warm_up), grammar=grammar, max_tokens=16)  # not timed
        idle = run_notes(engine, transcripts, grammar, "idle", sampler)
        with cpu_hog(pinned=not args.unpinned) as usage:
            hogged = run_notes(engine, transcripts, grammar, "hog", sampler)
        hogged.hog_cores = usage["cores"]
        engine.unload()
        # What the worker's metrics would report: its usual speed learnt idle, then the notes under the hog.
        counters = WorkerCounters()
        for scenario in (idle, hogged):
            slow = sum(counters.observe_generation(s) for s in scenario.speeds)
            over = sum(1 for s in scenario.seconds if s > base.timeout_seconds)
            rows.append(f"{label:<17} {scenario.label:<5} {scenario.p(0.5):>6.1f} {scenario.p(0.95):>6.1f} "
                        f"{scenario.p(0.5) / idle.p(0.5):>5.2f}x {median_rate(scenario.speeds):>6.1f} "
                        f"{threads_used(scenario.speeds):>9} {over:>5} {slow:>4} {scenario.others:>6.2f}")
        print(rows[-2], rows[-1], sep="\n", flush=True)
        if idle.others > NOT_IDLE_CORES:
            print(f"  WARNING: other processes kept {idle.others:.2f} cores busy during the idle notes: not idle",
                  flush=True)
        if hogged.hog_cores is not None:
            print(f"  (the hog used {hogged.hog_cores:.2f} cores meanwhile)", flush=True)
    print()
    print(header)
    print("\n".join(rows))
    print("threads: generations x llama.cpp threads they ran with; slow: generations the worker metrics count as slow "
          "(< 0.5x the usual tokens/s learnt from the idle notes); others: cores other processes kept busy")

    if not args.no_real_path:
        real_path(base, transcripts, pinned=not args.unpinned)


def real_path(base: InferenceConfig, transcripts: list[str], *, pinned: bool) -> None:
    """summarize_single_session, as a job runs it, with the default settings, under the hog."""
    engine = LlamaInferenceEngine(base)
    engine.load()
    speeds: list[GenerationSpeed] = []
    engine.on_generation = speeds.append
    summarize_single_session(engine, transcripts[0], NoteOptions())  # warm-up: the risk layer, grounding
    speeds.clear()
    with cpu_hog(pinned=pinned) as usage:
        outcomes = [summarize_single_session(engine, text, NoteOptions()) for text in transcripts]
    engine.unload()
    seconds = sorted(o.inference_time for o in outcomes)
    fallbacks = [o.fallback_reason for o in outcomes if o.fallback]
    print(f"\n## real note path (summarize_single_session, n_threads={base.n_threads}, "
          f"adaptive={base.adaptive_threads}, timeout {base.timeout_seconds:g} s) under the hog "
          f"(it used {usage['cores']:.2f} cores)")
    print(f"notes {len(outcomes)}, fallbacks {len(fallbacks)}"
          + (f" ({'; '.join(r.split(':')[0] for r in fallbacks)})" if fallbacks else "")
          + f", p50 {statistics.median(seconds):.1f} s, max {seconds[-1]:.1f} s per job-note (whole pipeline), "
          f"threads {threads_used(speeds)}, decoding {median_rate(speeds):.1f} tok/s")


if __name__ == "__main__":
    main()
