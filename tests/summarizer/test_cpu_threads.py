"""The free-core estimate and the thread choice (summarizer/cpu_threads.py), on fake CPU readings and fake
cgroup files: no real load is needed to tell a right choice from a wrong one."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import cpu_threads
from summarizer.cpu_threads import (
    CpuReading,
    ThreadPolicy,
    cgroup_cpu_quota,
    choose_threads,
    free_cores,
    parse_cpu_max,
    thread_budget,
)


@pytest.mark.parametrize(("text", "cores"), [
    ("max 100000\n", None),
    ("max", None),
    ("", None),
    ("150000 100000\n", 1.5),
    ("200000 100000", 2.0),
    ("50000 100000", 0.5),
    ("100000", 1.0),  # period left out: the kernel's 100 ms
])
def test_cpu_max_is_read_as_cores(text: str, cores: float | None) -> None:
    assert parse_cpu_max(text) == cores


def _cgroup_tree(tmp_path: Path, relative: str, limits: dict[str, str]) -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    (root / relative).mkdir(parents=True)
    (root / "cgroup.controllers").write_text("cpu memory\n")
    for directory, text in limits.items():
        (root / directory / "cpu.max").write_text(text)
    proc = tmp_path / "proc-self-cgroup"
    proc.write_text(f"0::/{relative}\n")
    return root, proc


def test_the_tightest_quota_on_the_way_up_wins(tmp_path: Path) -> None:
    root, proc = _cgroup_tree(tmp_path, "kubepods/pod1/worker", {
        "kubepods": "400000 100000", "kubepods/pod1": "150000 100000", "kubepods/pod1/worker": "max 100000"})
    quota = cgroup_cpu_quota((root,), proc)
    assert quota is not None and quota.cores == 1.5
    assert quota.group == root / "kubepods" / "pod1"  # whose cpu.stat counts everyone under the quota


def test_a_container_sees_its_own_cgroup_as_the_root(tmp_path: Path) -> None:
    root, proc = _cgroup_tree(tmp_path, "", {"": "100000 100000"})
    proc.write_text("0::/\n")
    quota = cgroup_cpu_quota((root,), proc)
    assert quota is not None and (quota.cores, quota.group) == (1.0, root)


def test_no_limit_no_cgroup_v2_or_no_v2_line_means_no_quota(tmp_path: Path) -> None:
    root, proc = _cgroup_tree(tmp_path, "a/b", {"a": "max 100000"})
    assert cgroup_cpu_quota((root,), proc) is None
    (root / "cgroup.controllers").unlink()  # a cgroup v1 mount
    (root / "a" / "cpu.max").write_text("100000 100000")
    assert cgroup_cpu_quota((root,), proc) is None
    (root / "cgroup.controllers").write_text("cpu\n")
    proc.write_text("4:cpu,cpuacct:/a/b\n")  # v1 lines only
    assert cgroup_cpu_quota((root,), proc) is None
    assert cgroup_cpu_quota((root,), tmp_path / "missing") is None


def test_the_thread_budget_rounds_a_quota_down_and_keeps_one() -> None:
    assert thread_budget(2, None) == 2
    assert thread_budget(8, 1.5) == 1  # 2 threads on 1.5 cores get throttled every period
    assert thread_budget(2, 4.0) == 2
    assert thread_budget(4, 0.5) == 1
    assert thread_budget(16, 3.0) == 3


def test_the_default_thread_count_follows_affinity_and_quota(monkeypatch) -> None:
    monkeypatch.setattr(cpu_threads, "allowed_cpus", lambda: [3])
    monkeypatch.setattr(cpu_threads, "cgroup_cpu_quota", lambda: None)
    assert cpu_threads.default_n_threads() == 1
    monkeypatch.setattr(cpu_threads, "allowed_cpus", lambda: list(range(16)))
    assert cpu_threads.default_n_threads() == cpu_threads.DEFAULT_THREADS_CAP == 2
    monkeypatch.setattr(cpu_threads, "cgroup_cpu_quota", lambda: cpu_threads.CpuQuota(1.5, Path("/")))
    assert cpu_threads.default_n_threads() == 1


def _reading(at: float, busy: float, own: float, group: float | None = None) -> CpuReading:
    return CpuReading(at=at, busy=busy, own=own, group=group)


def test_own_cpu_time_never_counts_as_others() -> None:
    # 2 s: both CPUs fully busy, all of it this process's own threads (spinning included): both cores free.
    assert free_cores(_reading(0, 0, 0), _reading(2, 4, 4), cpus=2) == pytest.approx(2.0)


def test_a_hog_on_one_core_leaves_one_free() -> None:
    # 2 s: 4 CPU-s busy, 2 of them ours: another process took one core.
    assert free_cores(_reading(0, 10, 5), _reading(2, 14, 7), cpus=2) == pytest.approx(1.0)
    # Sharing with our 2 threads the hog gets only ~2/3 of a core; still more than half a core taken.
    free = free_cores(_reading(0, 0, 0), _reading(3, 6, 4), cpus=2)
    assert free == pytest.approx(4 / 3)
    assert choose_threads(2, free, budget=2) == 1


def test_quota_shared_with_other_processes_in_the_cgroup() -> None:
    # 8 CPUs, quota 2 cores; in 1 s another process in the same cgroup used 1 core: one left in the quota.
    before, after = _reading(0, 0, 0, group=0), _reading(1, 3, 1, group=2)
    assert free_cores(before, after, cpus=8, quota=2.0) == pytest.approx(1.0)
    assert free_cores(before, after, cpus=8, quota=None) == pytest.approx(6.0)


def test_counters_that_go_backwards_or_no_time_do_not_invent_load() -> None:
    assert free_cores(_reading(0, 10, 5), _reading(1, 9, 6), cpus=2) == 2.0
    assert free_cores(_reading(1, 0, 0), _reading(1, 5, 0), cpus=2) == 2.0


@pytest.mark.parametrize(("free", "threads"), [(2.0, 2), (1.6, 2), (1.5, 2), (1.4, 1), (1.0, 1), (0.2, 1), (0.0, 1)])
def test_free_cores_are_rounded_half_up(free: float, threads: int) -> None:
    assert choose_threads(2, free, budget=2) == threads


def test_the_configured_threads_and_the_budget_bound_the_choice() -> None:
    assert choose_threads(1, 8.0, budget=8) == 1
    assert choose_threads(8, 8.0, budget=3) == 3


class FakeSampler:
    """Readings with a given load: ``others`` and ``own`` cores busy between consecutive readings."""

    def __init__(self, steps: list[tuple[float, float, float]]) -> None:
        self.steps: Iterator[tuple[float, float, float]] = iter(steps)
        self.at = self.busy = self.own = 0.0
        self.calls = 0

    def __call__(self) -> CpuReading:
        self.calls += 1
        if self.calls > 1:
            seconds, others, own = next(self.steps)
            self.at += seconds
            self.busy += (others + own) * seconds
            self.own += own * seconds
        return CpuReading(self.at, self.busy, self.own)


def test_first_choice_measures_a_fresh_window_then_follows_the_load() -> None:
    slept: list[float] = []
    sampler = FakeSampler([(0.25, 1.0, 0.0), (5.0, 0.0, 2.0), (0.05, 1.0, 0.0), (1.0, 1.0, 1.0), (60.0, 0.0, 0.0),
                           (0.25, 0.0, 0.0)])
    policy = ThreadPolicy(2, sampler=sampler, cpus=2, sleep=slept.append)
    assert policy.threads() == 1 and slept == [cpu_threads.FRESH_SAMPLE_SECONDS]  # a hog in the fresh sample
    assert policy.threads() == 2  # 5 s, only our own 2 threads busy
    assert policy.threads() == 2  # 50 ms is too short to tell: the last choice stands
    assert policy.threads() == 1  # the 1.05 s since the last measurement: a core taken
    assert policy.threads() == 2 and len(slept) == 2  # after a long pause: measured afresh, idle
    assert policy.last_free == pytest.approx(2.0)


def test_a_quota_below_the_configured_threads_caps_them_whatever_the_load() -> None:
    sampler = FakeSampler([(0.25, 0.0, 0.0)])
    policy = ThreadPolicy(4, sampler=sampler, cpus=8, quota=1.5, sleep=lambda _: None)
    assert policy.threads() == 1


readings = st.lists(
    st.tuples(st.floats(0.0, 120.0), st.floats(0.0, 80.0), st.floats(0.0, 80.0)), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(configured=st.integers(1, 64), cpus=st.integers(1, 64),
       quota=st.none() | st.floats(0.05, 64.0), steps=readings)
def test_the_choice_is_always_within_the_configured_threads_and_the_allowed_cpus(
    configured: int, cpus: int, quota: float | None, steps: list[tuple[float, float, float]]
) -> None:
    sampler = FakeSampler([(0.25, 0.0, 0.0), *steps, *[(1.0, 0.0, 0.0)] * len(steps)])
    policy = ThreadPolicy(configured, sampler=sampler, cpus=cpus, quota=quota, sleep=lambda _: None)
    allowed = max(1, math.floor(min(cpus, quota if quota is not None else cpus) + 1e-9))
    for _ in range(len(steps)):
        threads = policy.threads()
        assert 1 <= threads <= configured
        assert threads <= allowed
        assert policy.last_free is None or 0.0 <= policy.last_free <= min(cpus, quota or cpus)


@settings(max_examples=200, deadline=None)
@given(configured=st.integers(1, 16), cpus=st.integers(1, 16), others=st.floats(0.0, 16.0),
       own=st.floats(0.0, 16.0))
def test_more_load_from_others_never_means_more_threads(configured: int, cpus: int, others: float,
                                                        own: float) -> None:
    def chosen(load: float) -> int:
        policy = ThreadPolicy(configured, sampler=FakeSampler([(1.0, load, own)]), cpus=cpus, sleep=lambda _: None)
        return policy.threads()

    assert chosen(others + 0.5) <= chosen(others)
