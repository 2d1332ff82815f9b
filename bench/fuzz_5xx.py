"""Fuzz figure (issue 17): how many requests of a fuzzing run the API answered with a 5xx (target 0).

Against the real web server (bench/stack.py, no worker: jobs stay queued; a private Redis of its own):
1. schemathesis over the drf-spectacular schema, authenticated, every phase and check but
   ``positive_data_acceptance`` (as scripts/fuzz.sh: ids of other clinicians are refused by design);
2. the deep-nesting bodies of the security table (5000 levels on the token endpoint, unauthenticated,
   and on the JSON endpoints);
3. concurrency: parallel generate-notes on distinct sessions, parallel creates of one session number,
   parallel note edits of one session.
Every request the server answered is counted from its own access log, so the figure covers all three.
Run: .venv/bin/python bench/fuzz_5xx.py [--max-examples 30]   (DATABASE_URL unset: a fresh SQLite)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.chaos import PrivateRedis
from bench.stack import REPO, Stack, create_session, running_stack

ACCESS_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3})')
DEEP = "[" * 5000 + "]" * 5000
TRANSCRIPT = (REPO / "data" / "samples" / "demo_session.txt").read_text(encoding="utf-8")


def answered(stack: Stack) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request in the web server's access log so far."""
    text = (stack.logdir / "web.log").read_text(errors="replace")
    return [(m, p, int(code)) for m, p, code in ACCESS_LINE.findall(text)]


def settled(stack: Stack) -> int:
    """The access log's length once the server has written the lines of the requests just answered (it
    writes each after sending the response)."""
    time.sleep(1.0)
    return len(answered(stack))


def schemathesis(stack: Stack, max_examples: int) -> int:
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "schemathesis"), "--config-file", "scripts/schemathesis.toml", "run",
         f"{stack.base_url}/api/schema/", "-H", f"Authorization: Token {stack.token}", "--checks", "all",
         "--exclude-checks", "positive_data_acceptance", "--exclude-path-regex", "^/api/auth/logout",
         "--max-examples", str(max_examples), "--seed", "1"],
        cwd=REPO, capture_output=True, text=True)
    summary = [line for line in done.stdout.splitlines() if re.search(r"generated|passed|failed|Seed", line)]
    print("  schemathesis: " + " | ".join(line.strip() for line in summary[-3:]) + f" (exit {done.returncode})")
    if done.returncode:
        # Which check failed, and on what (schemathesis' own report: operations, statuses, no bodies).
        failures = done.stdout.split("FAILURES", 1)[-1].split("SUMMARY", 1)[0]
        print("\n".join(f"    | {line}" for line in failures.strip().splitlines()[:60]))
    return done.returncode


def deep_nesting(stack: Stack, session_id: int) -> Counter[int]:
    calls = [("/api/auth/token", DEEP, False),
             ("/api/auth/token", '{"username": ' + DEEP + ', "password": "x"}', False),
             ("/api/patients/", DEEP, True), (f"/api/sessions/{session_id}/generate-notes", DEEP, True),
             (f"/api/sessions/{session_id}/notes", '{"notes": ' + "[" * 40 + "]" * 40 + "}", True)]
    codes: Counter[int] = Counter()
    for path, body, authenticated in calls:
        method = "PUT" if path.endswith("/notes") else "POST"
        headers = {"Content-Type": "application/json", **(stack.headers() if authenticated else {})}
        codes[requests.request(method, f"{stack.base_url}{path}", data=body, headers=headers, timeout=60)
              .status_code] += 1
    return codes


def concurrency(stack: Stack, patient_id: int, sessions: list[int], clients: int) -> Counter[int]:
    def post(path_and_body: tuple[str, str, dict]) -> int:
        method, path, body = path_and_body
        return requests.request(method, f"{stack.base_url}{path}", json=body, headers=stack.headers(),
                                timeout=120).status_code

    calls = [("POST", f"/api/sessions/{s}/generate-notes", {}) for s in sessions]
    calls += [("POST", "/api/sessions/", {"patient": patient_id, "session_number": 999,
                                          "session_date": "2026-11-04"})] * clients
    calls += [("PUT", f"/api/sessions/{sessions[0]}/notes", {"notes": f"edit {i}"}) for i in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        return Counter(pool.map(post, calls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--redis-port", type=int, default=6392)
    args = parser.parse_args()
    print(f"# fuzz 5xx  {time.strftime('%Y-%m-%d %H:%M')}  max-examples={args.max_examples}  clients={args.clients}")
    with PrivateRedis(args.redis_port) as broker, running_stack(workers=0, extra_env={
        "REDIS_URL": broker.url, "CELERY_BROKER_URL": broker.url, "CELERY_RESULT_BACKEND": broker.url,
        "THERAPY_NOTES_LOGIN_THROTTLE": "100000/min",
    }) as stack:
        _, first = create_session(stack, TRANSCRIPT, 1)  # ids for the fuzzer and the nesting calls to hit
        phases: list[tuple[str, int]] = [("setup (health polls, seed sessions)", settled(stack))]
        schemathesis(stack, args.max_examples)
        phases.append(("schemathesis", settled(stack)))
        print(f"  deep nesting: {dict(deep_nesting(stack, first))}")
        phases.append(("deep nesting", settled(stack)))
        # Sessions schemathesis has not rewritten (it may PATCH random transcripts into the first ones).
        patient_id, fresh = create_session(stack, TRANSCRIPT, 1)
        fresh_sessions = [fresh] + [create_session(stack, TRANSCRIPT, n, patient_id)[1]
                                    for n in range(2, args.clients + 1)]
        phases.append(("fresh sessions for the concurrency phase", settled(stack)))
        print(f"  concurrency: {dict(concurrency(stack, patient_id, fresh_sessions, args.clients))}")
        phases.append(("concurrency", settled(stack)))
        log = answered(stack)
    start = 0
    for name, end in phases:
        part = log[start:end]
        print(f"{name}: 5xx: {sum(1 for *_, code in part if code >= 500)} of {len(part)} requests")
        start = end
    server_errors = [(m, p, code) for m, p, code in log if code >= 500]
    print(f"total: 5xx: {len(server_errors)} of {len(log)} requests  {Counter(code for *_, code in log)}")
    for method, path, code in server_errors[:20]:
        print(f"  {code} {method} {path}")


if __name__ == "__main__":
    main()
