"""Benchmark 4: 200 jobs submitted in a burst through the API (8 concurrent clients).
Prints submit latency p50/p95 and submitted/succeeded/failed/lost/duplicated counts.
Run: .venv/bin/python bench/burst.py -n 200"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.stack import create_session, percentile, poll_job, running_stack
from bench.transcripts import load_transcripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    transcripts = load_transcripts(args.n)
    print(f"# burst  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  cores={os.cpu_count()}  "
          f"jobs={args.n} workers={args.workers} clients={args.clients}")
    with running_stack(workers=args.workers, extra_env={"THERAPY_NOTES_N_THREADS": "1"}) as stack:
        sessions, patient_id = [], None
        for number, text in enumerate(transcripts, start=1):
            patient_id, session_id = create_session(stack, text, number, patient_id)
            sessions.append(session_id)

        def submit(session_id: int) -> tuple[float, dict]:
            started = time.perf_counter()
            response = requests.post(f"{stack.base_url}/api/sessions/{session_id}/generate-notes", json={},
                                     headers=stack.headers(), timeout=60)
            return time.perf_counter() - started, {"status_code": response.status_code, **response.json()}

        burst_started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            submitted = list(pool.map(submit, sessions))
        burst_seconds = time.perf_counter() - burst_started
        latencies = [lat for lat, _ in submitted]
        accepted = [job for _, job in submitted if job["status_code"] == 202]
        finals = [poll_job(stack, job["poll_url"], timeout=1800, interval=0.5) for job in accepted]
        statuses = Counter(job["status"] for job in finals)
        per_session: Counter[int] = Counter()
        url: str | None = f"{stack.base_url}/api/jobs/"
        while url:
            page = requests.get(url, headers=stack.headers(), timeout=60).json()
            per_session.update(job["session"] for job in page["results"])
            url = page["next"]
        notes_versions = stack.manage("shell", "-c", (
            "from sessions.models import Session;"
            "print(sorted(set(Session.objects.values_list('notes_version', flat=True))))"
        )).strip().splitlines()[-1]
    lost = len(sessions) - len({job["id"] for job in accepted})
    duplicated = sum(count - 1 for count in per_session.values() if count > 1)
    p50, p95 = percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000
    print(f"submit latency: p50 {p50:.0f} ms  p95 {p95:.0f} ms"
          f"  (burst of {len(sessions)} in {burst_seconds:.1f}s)")
    print(f"submitted {len(sessions)}  accepted {len(accepted)}  succeeded {statuses['succeeded']}  "
          f"failed {statuses['failed']}  lost {lost + len(accepted) - len(finals)}  duplicated {duplicated}")
    print(f"distinct notes_version values across sessions: {notes_versions} (1 = written exactly once)")
    reasons = Counter(job["error_message"] for job in finals if job["status"] == "failed")
    for reason, count in reasons.items():
        print(f"  failed x{count}: {reason}")


if __name__ == "__main__":
    main()
