"""Issue 18 part 1: runtime LoRA on the Q4_1 base against the adapter merged into the weights.

For each configuration: how long the merge takes, how closely the model follows the runtime-LoRA model
(teacher-forced on the runtime model's own greedy notes: mean KL(runtime || variant) per token and top-1
agreement; the base without adapter is the "lost the adapter" line), seconds per note and tokens/s through
the shipped note pipeline (grammar, grounding, safety net), and the steady-state RSS of a process that
loaded it and wrote the notes (VmRSS after the last one; ``--engine`` adds rows with flash attention and a
q8_0 KV cache). Quality on the test split is `training evaluate` with the same variants (command printed).

Run: .venv/bin/python bench/merged_models.py -n 8 [--types Q8_0,Q6_K --engine plain,fa,fa+q8kv]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.transcripts import load_transcripts  # noqa: E402
from summarizer.config import InferenceConfig  # noqa: E402
from summarizer.model_merge import merge_lora  # noqa: E402
from summarizer.model_registry import default_entry, default_models_dir  # noqa: E402
from summarizer.prompts import build_session_note_messages  # noqa: E402

VARIANTS = ("Q8_0", "F16", "Q4_1", "Q4_K_M")


@dataclass(frozen=True)
class Variant:
    name: str
    model_path: str
    lora_path: str | None = None
    flash_attn: bool = False
    kv_cache_type: str = "f16"
    engine: str = "plain"  # the ENGINE_OPTIONS row these settings came from

    @property
    def label(self) -> str:
        return self.name if self.engine == "plain" else f"{self.name} {self.engine}"


# Engine memory options (InferenceConfig.flash_attn, kv_cache_type): --engine rows beside each merged type.
ENGINE_OPTIONS = {"plain": {}, "fa": {"flash_attn": True}, "fa+q8kv": {"flash_attn": True, "kv_cache_type": "q8_0"}}


def build_variants(models_dir: Path, types: tuple[str, ...]) -> tuple[Variant, list[Variant], Variant]:
    entry = default_entry(models_dir)
    if entry is None or entry.adapter is None:
        raise SystemExit("models/manifest.json has no default entry with an adapter")
    base, adapter = models_dir / entry.base.file, models_dir / entry.adapter.file
    runtime = Variant("runtime LoRA (Q4_1)", str(base), str(adapter))
    merged = []
    for qtype in types:
        dest = models_dir / f"bench-merged-{entry.name}-{qtype}.gguf"
        started = time.perf_counter()
        merge_lora(base, adapter, dest, qtype)
        print(f"merged {qtype:7s} in {time.perf_counter() - started:5.1f} s  {dest.stat().st_size / 2**20:6.1f} MiB")
        merged.append(Variant(f"merged {qtype}", str(dest)))
    return runtime, merged, Variant("base, no adapter", str(base))


def _llama(variant: Variant, *, logits_all: bool = False):
    from llama_cpp import Llama

    cfg = InferenceConfig(model_path=variant.model_path)
    return Llama(model_path=variant.model_path, lora_path=variant.lora_path, n_ctx=cfg.n_ctx,
                 n_threads=cfg.n_threads, n_threads_batch=cfg.n_threads, seed=cfg.seed, logits_all=logits_all,
                 verbose=False)


def _log_probs(llm: object, ids: list[int], n_out: int) -> np.ndarray:
    llm.reset()  # type: ignore[attr-defined]
    llm.eval(ids)  # type: ignore[attr-defined]
    logits = np.asarray(llm.scores[len(ids) - n_out - 1 : len(ids) - 1], dtype=np.float64)  # type: ignore[attr-defined]
    logits -= logits.max(axis=1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


def fidelity(reference: Variant, others: list[Variant], transcripts: list[str]) -> dict[str, tuple[float, float]]:
    """(mean KL(reference || variant), top-1 agreement) over the reference's own greedy note tokens."""
    llm = _llama(reference, logits_all=True)
    sequences = []
    for text in transcripts:
        out = llm.create_chat_completion(messages=build_session_note_messages(text), max_tokens=120, temperature=0)
        sequences.append((list(llm._input_ids), out["usage"]["completion_tokens"]))
    reference_lp = [_log_probs(llm, ids, n) for ids, n in sequences]
    del llm
    figures = {}
    for variant in others:
        llm = _llama(variant, logits_all=True)
        kls, agreement = [], []
        for (ids, n), ref in zip(sequences, reference_lp, strict=True):
            lp = _log_probs(llm, ids, n)
            kls.append(float((np.exp(ref) * (ref - lp)).sum(axis=1).mean()))
            agreement.append(float((ref.argmax(axis=1) == lp.argmax(axis=1)).mean()))
        figures[variant.name] = (statistics.fmean(kls), statistics.fmean(agreement))
        del llm
    return figures


_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from summarizer.config import InferenceConfig
from summarizer.engine import LlamaInferenceEngine
from summarizer.notes import summarize_single_session
engine = LlamaInferenceEngine(InferenceConfig(model_path={model!r}, lora_path={lora!r}, flash_attn={fa!r},
                                              kv_cache_type={kv!r}))
engine.load()
seconds, tokens = [], []
for text in json.load(open({texts!r})):
    started = time.perf_counter()
    outcome = summarize_single_session(engine, text)
    seconds.append(time.perf_counter() - started)
    tokens.append(outcome.completion_tokens)
    assert not outcome.fallback, "fallback note"
# Steady state, as a worker holds it between jobs (the peak is the risk classifier's one-off training).
rss_kib = int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS:")).split()[1])
print(json.dumps({{"seconds": seconds, "tokens": tokens, "rss_mib": rss_kib / 1024,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def speed(variant: Variant, texts_file: Path) -> dict:
    """Seconds per note through the shipped pipeline, in a fresh process so its peak RSS is its own."""
    code = _CHILD.format(root=str(ROOT), model=variant.model_path, lora=variant.lora_path, texts=str(texts_file),
                         fa=variant.flash_attn, kv=variant.kv_cache_type)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=8, help="transcripts for speed (fidelity uses the first 4)")
    parser.add_argument("--types", default=",".join(VARIANTS), help="merged types to build and compare")
    parser.add_argument("--engine", default="plain",
                        help=f"engine options per merged type: {', '.join(ENGINE_OPTIONS)}")
    args = parser.parse_args()
    models_dir = default_models_dir()
    print(f"# merged models  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  cores={os.cpu_count()}  n={args.n}")
    runtime, merged, bare = build_variants(models_dir, tuple(t for t in args.types.split(",") if t))
    transcripts = load_transcripts(args.n)
    close = fidelity(runtime, [*merged, bare], transcripts[:4])
    texts_file = models_dir / ".bench-merged-transcripts.json"
    texts_file.write_text(json.dumps(transcripts), encoding="utf-8")
    try:
        timed = [runtime, *(replace(v, engine=option, **ENGINE_OPTIONS[option])
                            for v in merged for option in args.engine.split(","))]
        rows = [(v, speed(v, texts_file)) for v in timed]
    finally:
        texts_file.unlink(missing_ok=True)
    base_p50 = statistics.median(rows[0][1]["seconds"])
    print(f"{'configuration':22s} {'KL vs runtime':>13s} {'top-1':>6s} {'p50 s':>6s} {'vs runtime':>10s} "
          f"{'tok/s':>6s} {'RSS MiB':>8s} {'vs runtime':>10s} {'MiB file':>8s}")
    base_rss = rows[0][1]["rss_mib"]
    for variant, figures in rows:
        p50 = statistics.median(figures["seconds"])
        rate = sum(figures["tokens"]) / sum(figures["seconds"])
        kl, top1 = close.get(variant.name, (0.0, 1.0))
        print(f"{variant.label:22s} {kl:13.4f} {top1:6.3f} {p50:6.2f} {p50 / base_p50:9.2f}x {rate:6.1f} "
              f"{figures['rss_mib']:8.0f} {figures['rss_mib'] - base_rss:+9.1f} "
              f"{Path(variant.model_path).stat().st_size / 2**20:8.1f}")
    kl, top1 = close[bare.name]
    print(f"{bare.name:22s} {kl:13.4f} {top1:6.3f}  (the adapter's whole effect, for scale)")
    specs = " ".join(f'--model "{v.name.split()[-1]}={v.model_path}@grammar,grounded"' for v in merged)
    print(f"quality: .venv/bin/python -m training evaluate --output bench/results/merged "
          f'--model "runtime={runtime.model_path}+{runtime.lora_path}@grammar,grounded" {specs}')


if __name__ == "__main__":
    main()
