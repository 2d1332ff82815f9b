"""How many llama.cpp threads a generation should use: no more than the cores other processes leave free.

Why: llama.cpp's threads spin-wait on each other at every step of a forward pass. When another process keeps
one of a worker's cores busy, the worker's thread on that core runs only part of the time and every other
thread spins waiting for it: on the 2-core host a 2-thread note took 35-45 s instead of ~5 s, where a 1-thread
note takes ~6 s. So before each generation (and every second while it runs) the engine measures how busy the
CPUs it may use were, *not counting its own process*, and runs with min(configured threads, free cores).

"CPUs it may use" is the smaller of its affinity mask (taskset, Docker's --cpuset-cpus) and a cgroup v2
``cpu.max`` quota (Docker's --cpus, Kubernetes CPU limits). Plain Python, no Django; psutil reads the counters.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

CGROUP_ROOTS = (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified"))  # unified: a v1/v2 hybrid host
# The measured default (bench/cpu_hog.py, README "Performance"): 2 threads is only ~1.15x faster than 1 on this
# model, and 2 processes x 1 thread beat 1 x 2, so a bigger host gets more worker processes, not more threads.
DEFAULT_THREADS_CAP = 2
# A core counts as taken when others keep it busy more than half the time: round(free cores), halves up.
ROUNDING = 0.5
# The window a measurement covers. Shorter than MIN_WINDOW_SECONDS: too few clock ticks (10 ms) to tell, keep
# the last choice. Longer than MAX_WINDOW_SECONDS (an idle worker): the average says little about now, so
# measure FRESH_SAMPLE_SECONDS afresh (the first note after a pause pays that once).
MIN_WINDOW_SECONDS = 0.2
MAX_WINDOW_SECONDS = 30.0
FRESH_SAMPLE_SECONDS = 0.25


def parse_cpu_max(text: str) -> float | None:
    """cgroup v2 ``cpu.max`` ("<quota> <period>" in µs, or "max <period>") as cores; None: no limit."""
    parts = text.split()
    if not parts or parts[0] == "max":
        return None
    quota = int(parts[0])
    period = int(parts[1]) if len(parts) > 1 else 100_000  # the kernel's default period
    return quota / period if quota > 0 and period > 0 else None


@dataclass(frozen=True)
class CpuQuota:
    cores: float
    group: Path  # the cgroup directory whose cpu.max sets it: its cpu.stat counts everyone sharing the quota


def _own_cgroup_dirs(root: Path, proc_cgroup: Path) -> list[Path]:
    """This process's cgroup v2 directory under ``root`` and its ancestors up to ``root``, innermost first."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return []
    relative = next((line[3:] for line in lines if line.startswith("0::")), None)
    if relative is None:
        return []
    current = root / relative.strip().lstrip("/")
    dirs = []
    while True:
        dirs.append(current)
        if current == root or root not in current.parents:
            return dirs
        current = current.parent


def cgroup_cpu_quota(roots: tuple[Path, ...] = CGROUP_ROOTS,
                     proc_cgroup: Path = Path("/proc/self/cgroup")) -> CpuQuota | None:
    """The tightest cgroup v2 CPU quota over this process's cgroup and its ancestors (a container sees its own
    cgroup as "/"); None without cgroup v2 or without a limit. cgroup v1 quotas are not read."""
    for root in roots:
        if not (root / "cgroup.controllers").is_file():
            continue  # not a cgroup v2 mount
        best: CpuQuota | None = None
        for directory in _own_cgroup_dirs(root, proc_cgroup):
            try:
                cores = parse_cpu_max((directory / "cpu.max").read_text())
            except (OSError, ValueError):
                continue
            if cores is not None and (best is None or cores < best.cores):
                best = CpuQuota(cores, directory)
        return best
    return None


def allowed_cpus() -> list[int]:
    """The CPU numbers this process may run on (its affinity mask)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def thread_budget(cpus: int, quota: float | None) -> int:
    """Whole threads the process can keep running at once: its CPUs, and a quota rounded *down* (threads past a
    quota are throttled for the rest of each period, and a spin-waiting thread pool waits for the throttled)."""
    limit = float(cpus) if quota is None else min(float(cpus), quota)
    return max(1, math.floor(limit + 1e-9))


def default_n_threads() -> int:
    """THERAPY_NOTES_N_THREADS' default: the thread budget of this process, at most DEFAULT_THREADS_CAP."""
    quota = cgroup_cpu_quota()
    return min(DEFAULT_THREADS_CAP, thread_budget(len(allowed_cpus()), quota.cores if quota else None))


@dataclass(frozen=True)
class CpuReading:
    """Cumulative CPU seconds at one moment (monotonic ``at``)."""

    at: float
    busy: float  # all processes, on the CPUs this process may use
    own: float  # this process (all its threads)
    group: float | None = None  # the quota's cgroup (all processes in it), when there is a quota


def free_cores(before: CpuReading, after: CpuReading, cpus: int, quota: float | None = None) -> float:
    """Cores that processes other than this one left free between two readings (0 to the CPUs allowed).

    Others' use is everyone's busy time minus this process's own: a worker's own threads (spinning included)
    never count against it. Under a quota, the other processes in the quota's cgroup count against the quota.
    """
    elapsed = after.at - before.at
    if elapsed <= 0:
        return float(cpus) if quota is None else min(float(cpus), quota)
    own = max(after.own - before.own, 0.0)
    others = max(after.busy - before.busy - own, 0.0) / elapsed
    free = max(cpus - others, 0.0)
    if quota is not None:
        group_others = 0.0
        if after.group is not None and before.group is not None:
            group_others = max(after.group - before.group - own, 0.0) / elapsed
        free = min(free, max(quota - group_others, 0.0))
    return free


def choose_threads(configured: int, free: float, budget: int) -> int:
    """min(configured, thread budget, free cores rounded half up), at least 1."""
    return max(1, min(configured, budget, math.floor(free + ROUNDING)))


def _busy_seconds(times: object) -> float:
    # Everything but idle and iowait (a CPU waiting on I/O is free to run us); steal is a hypervisor's.
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


def _group_seconds(group: Path) -> float | None:
    try:
        for line in (group / "cpu.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
    except (OSError, ValueError):
        pass
    return None


class CpuSampler:
    """Reads a CpuReading: the per-CPU counters of this process's allowed CPUs, its own CPU time, the quota's."""

    def __init__(self) -> None:
        self.cpus = allowed_cpus()
        self.quota = cgroup_cpu_quota()

    def __call__(self) -> CpuReading:
        per_cpu = psutil.cpu_times(percpu=True)
        busy = sum(_busy_seconds(per_cpu[i]) for i in self.cpus if i < len(per_cpu))
        own = os.times()  # this process, all threads (whichever process calls: safe across a fork)
        return CpuReading(at=time.monotonic(), busy=busy, own=own.user + own.system,
                          group=_group_seconds(self.quota.group) if self.quota else None)


class ThreadPolicy:
    """The thread count for the next stretch of generation. ``threads()`` is cheap (two /proc reads) except
    after a pause longer than MAX_WINDOW_SECONDS, when it measures FRESH_SAMPLE_SECONDS first."""

    def __init__(
        self,
        configured: int,
        *,
        sampler: Callable[[], CpuReading] | None = None,
        cpus: int | None = None,
        quota: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if sampler is None:  # the real counters, and the CPUs and quota they were read for
            real = CpuSampler()
            sampler, cpus, quota = real, len(real.cpus), real.quota.cores if real.quota else None
        self._read = sampler
        self.cpus = cpus or os.cpu_count() or 1
        self.quota = quota
        self.configured = max(1, configured)
        self.budget = thread_budget(self.cpus, self.quota)
        self._sleep = sleep
        self._last: CpuReading | None = None
        self.current = min(self.configured, self.budget)
        self.last_free: float | None = None  # for logs and benches: the free cores behind the last choice

    def threads(self) -> int:
        now = self._read()
        before = self._last
        if before is None or now.at - before.at > MAX_WINDOW_SECONDS:
            self._sleep(FRESH_SAMPLE_SECONDS)
            before, now = now, self._read()
        elif now.at - before.at < MIN_WINDOW_SECONDS:
            return self.current  # keep `before` so the next window is long enough
        self._last = now
        self.last_free = free_cores(before, now, self.cpus, self.quota)
        self.current = choose_threads(self.configured, self.last_free, self.budget)
        return self.current
