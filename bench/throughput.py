"""Benchmark 3: notes/minute with 1 and 2 worker processes x n_threads 1 and 2 (50 queued jobs),
worker RSS and model load time. Run: .venv/bin/python bench/throughput.py -n 50"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.stack import create_session, poll_job, running_stack
from bench.transcripts import load_transcripts


def run(workers: int, threads: int, transcripts: list[str]) -> dict:
    with running_stack(workers=workers, extra_env={"THERAPY_NOTES_N_THREADS": str(threads)}) as stack:
        sessions = []
        patient_id = None
        for number, text in enumerate(transcripts, start=1):
            patient_id, session_id = create_session(stack, text, number, patient_id)
            sessions.append(session_id)
        started = time.perf_counter()
        jobs = [requests.post(f"{stack.base_url}/api/sessions/{sid}/generate-notes", json={},
                              headers=stack.headers(), timeout=30).json() for sid in sessions]
        finals = [poll_job(stack, job["poll_url"], interval=0.2) for job in jobs]
        elapsed = time.perf_counter() - started
        health = requests.get(f"{stack.base_url}/health", headers=stack.headers(), timeout=10).json()
    ok = sum(1 for job in finals if job["status"] == "succeeded")
    rss = [w["rss_bytes"] / 2**20 for w in health["workers"]]
    loads = [w.get("model_load_seconds") for w in health["workers"] if w.get("model_load_seconds") is not None]
    return {"workers": workers, "threads": threads, "jobs": len(finals), "succeeded": ok,
            "seconds": elapsed, "per_minute": len(finals) / elapsed * 60,
            "rss_mib": max(rss) if rss else float("nan"), "load_s": max(loads) if loads else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50)
    args = parser.parse_args()
    transcripts = load_transcripts(args.n)
    print(f"# throughput  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  cores={os.cpu_count()}  jobs={args.n}")
    print(f"{'workers':>7} {'threads':>7} {'ok/jobs':>8} {'seconds':>8} {'notes/min':>9} {'vs 1x1':>7} "
          f"{'RSS MiB':>8} {'load s':>7}")
    base = None
    # One row as each configuration finishes: a long run shows its figures as it goes.
    for workers, threads in ((1, 1), (1, 2), (2, 1), (2, 2)):
        r = run(workers, threads, transcripts)
        base = base or r["per_minute"]
        print(f"{r['workers']:>7} {r['threads']:>7} {r['succeeded']:>3}/{r['jobs']:<4} {r['seconds']:>8.1f} "
              f"{r['per_minute']:>9.1f} {r['per_minute'] / base:>6.2f}x {r['rss_mib']:>8.0f} {r['load_s']:>7.2f}")


if __name__ == "__main__":
    main()
