"""Load the training corpus (CSV: session_transcription, session_summary), validate rows, and split
it 80/10/10 by seed without near-duplicates crossing splits."""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.corpus import REQUIRED_COLUMNS, SUMMARY_COLUMN, TRANSCRIPT_COLUMN
from training.dedup import content_hash, group_near_duplicates
from training.encoding import decode_bytes

logger = logging.getLogger(__name__)

SPLIT_NAMES: tuple[str, ...] = ("train", "val", "test")
MANIFEST_NAME = "split_manifest.json"

# Fields can be whole transcripts; the csv module's 128 KiB default would reject long sessions.
csv.field_size_limit(16 * 1024 * 1024)


class MissingColumnsError(ValueError):
    """A CSV lacks required columns."""


@dataclass(frozen=True)
class DatasetConfig:
    seed: int = 42
    train_fraction: float = 0.8
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    min_transcript_chars: int = 40
    max_transcript_chars: int = 200_000  # ~50k tokens: far past any context; a broken export
    min_summary_chars: int = 10
    max_summary_chars: int = 4_000  # notes are 30-70 words; 4k chars is a pasted transcript
    near_duplicate_threshold: float = 0.8
    drop_exact_duplicates: bool = True
    limit: int | None = None  # keep only the first N valid rows (smoke runs)


@dataclass(frozen=True)
class Example:
    transcript: str
    summary: str
    source: str = ""
    row: int = 0  # spreadsheet-style row number: header is row 1


@dataclass(frozen=True)
class SkippedRow:
    source: str
    row: int
    reason: str


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    files_ignored: list[str] = field(default_factory=list)  # glob matches without the required columns
    encodings: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_kept: int = 0
    duplicates_dropped: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)

    def skip_reasons(self) -> dict[str, int]:
        return dict(Counter(s.reason.split(":")[0] for s in self.skipped))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_skipped": self.rows_skipped, "skip_reasons": self.skip_reasons()}


@dataclass(frozen=True)
class LoadedData:
    examples: list[Example]
    report: LoadReport


@dataclass(frozen=True)
class SplitManifest:
    path: Path
    counts: dict[str, int]
    data_sha256: str
    file_sha256: dict[str, str]


@dataclass(frozen=True)
class DatasetSplits:
    train: list[Example]
    val: list[Example]
    test: list[Example]
    seed: int
    groups: int = 0

    def by_name(self) -> dict[str, list[Example]]:
        return {"train": self.train, "val": self.val, "test": self.test}

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.by_name().items()}

    def save_splits(self, out_dir: Path, report: LoadReport | None = None) -> SplitManifest:
        return save_splits(self, out_dir, report)


def _expand(patterns: Iterable[str | Path]) -> dict[Path, bool]:
    """Path -> named explicitly (True) or only matched by a glob (False)."""
    found: dict[Path, bool] = {}
    for pattern in patterns:
        text = str(pattern)
        if any(ch in text for ch in "*?["):
            for match in glob.glob(text):
                found.setdefault(Path(match), False)
        else:
            found[Path(text)] = True
    return found


def validate_pair(transcript: Any, summary: Any, config: DatasetConfig) -> str | None:
    """Why a (transcript, summary) pair is unusable, or None when it is fine."""
    for name, value in ((TRANSCRIPT_COLUMN, transcript), (SUMMARY_COLUMN, summary)):
        if value is None:
            return f"missing field: {name}"
        if not isinstance(value, str):
            return f"non-string field: {name} is {type(value).__name__}"
        if "\x00" in value:
            return f"binary content: NUL byte in {name}"
        if not value.strip():
            return f"empty field: {name}"
    transcript_len, summary_len = len(transcript.strip()), len(summary.strip())
    if transcript_len < config.min_transcript_chars:
        return f"too short: {TRANSCRIPT_COLUMN} has {transcript_len} chars"
    if transcript_len > config.max_transcript_chars:
        return f"too long: {TRANSCRIPT_COLUMN} has {transcript_len} chars"
    if summary_len < config.min_summary_chars:
        return f"too short: {SUMMARY_COLUMN} has {summary_len} chars"
    if summary_len > config.max_summary_chars:
        return f"too long: {SUMMARY_COLUMN} has {summary_len} chars"
    return None


def _header_map(fieldnames: Sequence[str] | None, source: str) -> dict[str, str]:
    """Required column -> actual header (headers matched ignoring case and surrounding spaces)."""
    actual = {(name or "").strip().lstrip("\ufeff").lower(): name for name in (fieldnames or [])}
    missing = [column for column in REQUIRED_COLUMNS if column not in actual]
    if missing:
        raise MissingColumnsError(
            f"{source}: missing required column(s) {', '.join(missing)}; "
            f"found {', '.join(repr(n) for n in (fieldnames or [])) or 'no header'}"
        )
    return {column: actual[column] for column in REQUIRED_COLUMNS}


class DatasetLoader:
    """Reads one or more corpus CSVs into validated examples and splits them."""

    def __init__(self, config: DatasetConfig | None = None) -> None:
        self.config = config or DatasetConfig()

    def load(self, paths: Iterable[str | Path]) -> LoadedData:
        patterns = list(paths)
        candidates = _expand(patterns)
        if not candidates:
            raise FileNotFoundError(f"no input CSV matched {[str(p) for p in patterns]}")
        report = LoadReport()
        examples: list[Example] = []
        seen: set[tuple[str, str]] = set()
        for path in sorted(candidates):
            try:
                rows = list(self._read_file(path, report))
            except MissingColumnsError as exc:
                if candidates[path]:
                    raise  # a file named explicitly must be a corpus file
                # A glob can also match side files (e.g. part_c_meta.csv); skip them loudly.
                logger.warning("ignoring %s: %s", path, exc)
                report.files_ignored.append(str(path))
                continue
            report.files.append(str(path))
            for example in rows:
                key = (content_hash(example.transcript), content_hash(example.summary))
                if self.config.drop_exact_duplicates and key in seen:
                    report.duplicates_dropped += 1
                    continue
                seen.add(key)
                examples.append(example)
                if self.config.limit is not None and len(examples) >= self.config.limit:
                    break
            if self.config.limit is not None and len(examples) >= self.config.limit:
                break
        if not report.files:
            raise MissingColumnsError(
                f"no input has the required columns {', '.join(REQUIRED_COLUMNS)}: "
                f"{', '.join(report.files_ignored)}"
            )
        report.rows_kept = len(examples)
        if report.skipped:
            logger.warning("skipped %d malformed row(s): %s", report.rows_skipped, report.skip_reasons())
        logger.info("loaded %d example(s) from %d file(s)", len(examples), len(report.files))
        return LoadedData(examples, report)

    def _read_file(self, path: Path, report: LoadReport) -> Iterable[Example]:
        text, encoding = decode_bytes(path.read_bytes())
        report.encodings[str(path)] = encoding
        reader = csv.DictReader(io.StringIO(text, newline=""), restkey="__extra__")
        columns = _header_map(reader.fieldnames, str(path))
        for index, record in enumerate(reader, start=2):
            report.rows_read += 1
            reason = validate_pair(
                record.get(columns[TRANSCRIPT_COLUMN]), record.get(columns[SUMMARY_COLUMN]), self.config
            )
            if reason is None and record.get("__extra__"):
                # More values than headers: an unquoted comma shifted the columns; the text is unreliable.
                reason = "extra fields: row has more values than the header"
            if reason is not None:
                report.skipped.append(SkippedRow(str(path), index, reason))
                logger.info("%s row %d (line %d) skipped: %s", path.name, index, reader.line_num, reason)
                continue
            yield Example(
                record[columns[TRANSCRIPT_COLUMN]].strip(),
                record[columns[SUMMARY_COLUMN]].strip(),
                str(path),
                index,
            )

    def split(self, examples: Sequence[Example]) -> DatasetSplits:
        return split_examples(examples, self.config)


def split_targets(n: int, config: DatasetConfig) -> dict[str, int]:
    """Row counts per split; val and test get at least one row each once there are 3 rows."""

    def share(fraction: float) -> int:
        count = int(n * fraction + 0.5)  # round half up: Python's round() is banker's rounding
        return max(count, 1) if n >= 3 and fraction > 0 else count

    val, test = share(config.val_fraction), share(config.test_fraction)
    return {"train": n - val - test, "val": val, "test": test}


def split_examples(examples: Sequence[Example], config: DatasetConfig) -> DatasetSplits:
    """Deterministic split by seed; a near-duplicate group always lands in one split.

    The result depends on the set of examples and the seed, not on input order: groups are
    ordered by content hash before the seeded shuffle.
    """
    total = config.train_fraction + config.val_fraction + config.test_fraction
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"split fractions must sum to 1, got {total}")
    group_ids = group_near_duplicates([e.transcript for e in examples], config.near_duplicate_threshold)
    groups: dict[int, list[int]] = {}
    for index, gid in enumerate(group_ids):
        groups.setdefault(gid, []).append(index)
    ordered = sorted(
        groups.values(),
        key=lambda members: min(
            content_hash(examples[i].transcript + "\x1f" + examples[i].summary) for i in members
        ),
    )
    random.Random(config.seed).shuffle(ordered)
    ordered.sort(key=len, reverse=True)  # stable: big groups first keeps the proportions close
    targets = split_targets(len(examples), config)
    assigned: dict[str, list[int]] = {name: [] for name in SPLIT_NAMES}
    for members in ordered:
        name = max(SPLIT_NAMES, key=lambda s: targets[s] - len(assigned[s]))
        assigned[name].extend(members)

    def pick(name: str) -> list[Example]:
        return [
            examples[i]
            for i in sorted(
                assigned[name], key=lambda i: content_hash(examples[i].transcript + examples[i].summary)
            )
        ]

    return DatasetSplits(pick("train"), pick("val"), pick("test"), config.seed, len(groups))


def data_sha256(examples: Iterable[Example]) -> str:
    """Order-independent hash of the (transcript, summary) pairs: the training-data identity."""
    digests = sorted(hashlib.sha256(f"{e.transcript}\x1f{e.summary}".encode()).hexdigest() for e in examples)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def write_csv(path: Path, examples: Sequence[Example]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUIRED_COLUMNS)
        writer.writerows((e.transcript, e.summary) for e in examples)
    tmp.replace(path)


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_splits(splits: DatasetSplits, out_dir: Path, report: LoadReport | None = None) -> SplitManifest:
    """Write train.csv/val.csv/test.csv (UTF-8) and split_manifest.json with counts and hashes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    file_hashes: dict[str, str] = {}
    for name, rows in splits.by_name().items():
        path = out_dir / f"{name}.csv"
        write_csv(path, rows)
        file_hashes[f"{name}.csv"] = _file_sha256(path)
    all_rows = [e for rows in splits.by_name().values() for e in rows]
    manifest: dict[str, Any] = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seed": splits.seed,
        "counts": splits.counts(),
        "total": len(all_rows),
        "near_duplicate_groups": splits.groups,
        "data_sha256": data_sha256(all_rows),
        "split_sha256": {name: data_sha256(rows) for name, rows in splits.by_name().items()},
        "file_sha256": file_hashes,
    }
    if report is not None:
        manifest["load_report"] = report.as_dict()
    path = out_dir / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return SplitManifest(path, manifest["counts"], manifest["data_sha256"], file_hashes)


def load_split_csv(path: Path, config: DatasetConfig | None = None) -> LoadedData:
    """Read one split file back (same validation as the corpus, no de-duplication)."""
    cfg = config or DatasetConfig(drop_exact_duplicates=False)
    return DatasetLoader(cfg).load([path])
