"""Group exact and near-duplicate transcripts so a split never puts copies on both sides.

Near-duplicates (a re-exported session with a typo fixed, a transcript with a header added) would
leak test content into training and inflate evaluation scores. Grouping is MinHash over word
5-shingles with LSH banding to find candidates, confirmed by exact Jaccard similarity.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 64
BANDS = 16  # 16 bands x 4 rows: pairs above ~0.5 Jaccard become candidates, then checked exactly
_WORD = re.compile(r"[a-z0-9]+")


def normalised_key(text: str) -> str:
    """Case-, punctuation- and whitespace-insensitive form: what "the same text" means here."""
    return " ".join(_WORD.findall(text.lower()))


def content_hash(text: str) -> str:
    return hashlib.sha256(normalised_key(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = normalised_key(text).split()
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _shingle_hashes(items: set[str]) -> np.ndarray:
    # blake2b, not hash(): Python's str hash is salted per process and splits must be reproducible.
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little") for s in items),
        dtype=np.uint64,
        count=len(items),
    )


_RNG = np.random.default_rng(20240611)
_A = _RNG.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _RNG.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)


def minhash(items: set[str]) -> np.ndarray:
    hashes = _shingle_hashes(items)
    with np.errstate(over="ignore"):  # multiply-add modulo 2**64 is the intended permutation
        permuted = hashes[None, :] * _A[:, None] + _B[:, None]
    return (permuted >> np.uint64(32)).min(axis=1)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def group_near_duplicates(texts: Sequence[str], threshold: float = 0.8) -> list[int]:
    """A group id per text; texts with equal normalised form or Jaccard >= ``threshold`` share one.

    Group ids are the smallest member index, so they are deterministic for a given order.
    """
    uf = _UnionFind(len(texts))
    by_key: dict[str, int] = {}
    for i, text in enumerate(texts):
        key = content_hash(text)
        if key in by_key:
            uf.union(by_key[key], i)
        else:
            by_key[key] = i
    shingle_sets = [shingles(t) for t in texts]
    rows = NUM_PERM // BANDS
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for i, items in enumerate(shingle_sets):
        signature = minhash(items)
        for band in range(BANDS):
            buckets[(band, signature[band * rows : (band + 1) * rows].tobytes())].append(i)
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                if (i, j) in checked or uf.find(i) == uf.find(j):
                    continue
                checked.add((i, j))
                if jaccard(shingle_sets[i], shingle_sets[j]) >= threshold:
                    uf.union(i, j)
    return [uf.find(i) for i in range(len(texts))]
