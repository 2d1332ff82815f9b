"""DatasetLoader: encodings, required columns, malformed rows, splits and the split manifest."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.training.synthetic import make_pair, write_corpus
from training.dataset import (
    DatasetConfig,
    DatasetLoader,
    Example,
    MissingColumnsError,
    split_examples,
    split_targets,
    validate_pair,
)
from training.dedup import group_near_duplicates, jaccard, shingles
from training.encoding import decode_bytes

HEADER = "session_transcription,session_summary\r\n"
TRANSCRIPT = (
    "Therapist: Café session — how was the week? Patient: “Okay”, naïve worries about façades and résumés."
)
NOTE = "**Chief Complaint:** Worry about the résumé — café job “stress”."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_reads_each_encoding(tmp_path: Path, encoding: str) -> None:
    transcript, note = TRANSCRIPT, NOTE
    if encoding == "latin-1":  # latin-1 has no curly quotes or dashes
        transcript = transcript.replace("—", "-").replace("“", '"').replace("”", '"')
        note = note.replace("—", "-").replace("“", '"').replace("”", '"')
    path = tmp_path / f"{encoding}.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["session_transcription", "session_summary"], [transcript, note]])
    path.write_bytes(buffer.getvalue().encode(encoding))
    loaded = DatasetLoader().load([path])
    assert [(e.transcript, e.summary) for e in loaded.examples] == [(transcript, note)]
    detected = loaded.report.encodings[str(path)]
    expected = {
        "utf-8": "utf-8",
        "utf-8-sig": "utf-8-sig",
        "cp1252": "cp1252",
        "latin-1": "cp1252",
        "utf-16": "utf-16",
    }[encoding]  # latin-1 text without 0x80-0x9F bytes is valid cp1252
    assert detected == expected


def test_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + f'"{TRANSCRIPT}","{NOTE}"\n').encode("utf-8"))
    assert len(DatasetLoader().load([path]).examples) == 1


def test_undecodable_utf8_falls_back_to_a_single_byte_codepage() -> None:
    text, encoding = decode_bytes("naïve “quote”".encode("cp1252"))
    assert encoding == "cp1252" and text == "naïve “quote”"


def test_missing_columns_error_names_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("transcript,summary\nx,y\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError) as info:
        DatasetLoader().load([path])
    assert "session_transcription" in str(info.value) and "session_summary" in str(info.value)
    assert "'transcript'" in str(info.value)  # shows what was found


def test_headers_match_case_and_space_insensitively(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(f' Session_Transcription , SESSION_SUMMARY \n"{TRANSCRIPT}","{NOTE}"\n', encoding="utf-8")
    assert len(DatasetLoader().load([path]).examples) == 1


def test_malformed_rows_are_skipped_with_row_numbers(tmp_path: Path) -> None:
    good_t, good_n = make_pair(1)
    path = tmp_path / "mixed.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["session_transcription", "session_summary"])
        writer.writerow([good_t, good_n])  # row 2
        writer.writerow([good_t + " extra", ""])  # row 3: empty note
        writer.writerow(["   ", good_n])  # row 4: blank transcript
        writer.writerow([good_t + " x"])  # row 5: missing field
        writer.writerow(["y" * 300_000, good_n])  # row 6: absurd length
        writer.writerow([good_t + " z", good_n, "surplus"])  # row 7: more values than headers
        writer.writerow([make_pair(2)[0], make_pair(2)[1]])  # row 8
    loaded = DatasetLoader().load([path])
    report = loaded.report
    assert [e.row for e in loaded.examples] == [2, 8]
    assert {(s.row, s.reason.split(":")[0]) for s in report.skipped} == {
        (3, "empty field"),
        (4, "empty field"),
        (5, "missing field"),
        (6, "too long"),
        (7, "extra fields"),
    }
    assert report.rows_read == 7 and report.rows_kept == 2 and report.rows_skipped == 5


def test_multiple_inputs_and_exact_duplicates(tmp_path: Path) -> None:
    write_corpus(tmp_path / "part_1.csv", 6, seed=1)
    write_corpus(tmp_path / "part_2.csv", 6, seed=2)
    write_corpus(tmp_path / "part_3.csv", 3, seed=1)  # the first three rows of part_1 again
    loaded = DatasetLoader().load([str(tmp_path / "part_*.csv")])
    assert len(loaded.report.files) == 3
    assert loaded.report.duplicates_dropped == 3
    assert len(loaded.examples) == 12


def test_no_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        DatasetLoader().load([str(tmp_path / "part_*.csv")])


def test_save_splits_writes_csvs_and_manifest(tmp_path: Path) -> None:
    write_corpus(tmp_path / "corpus.csv", 30)
    loader = DatasetLoader(DatasetConfig(seed=7))
    loaded = loader.load([tmp_path / "corpus.csv"])
    manifest = loader.split(loaded.examples).save_splits(tmp_path / "splits", loaded.report)
    data = json.loads(manifest.path.read_text())
    assert data["counts"] == {"train": 24, "val": 3, "test": 3} and data["seed"] == 7
    assert len(data["data_sha256"]) == 64 and set(data["file_sha256"]) == {"train.csv", "val.csv", "test.csv"}
    assert data["load_report"]["rows_kept"] == 30
    reread = {
        name: DatasetLoader().load([tmp_path / "splits" / f"{name}.csv"]).examples
        for name in ("train", "val", "test")
    }
    assert sum(len(v) for v in reread.values()) == 30
    # Same data and seed -> byte-identical split files, independent of input order.
    shuffled = list(reversed(loaded.examples))
    again = split_examples(shuffled, DatasetConfig(seed=7)).save_splits(tmp_path / "again")
    assert again.file_sha256 == manifest.file_sha256


def test_near_duplicates_stay_in_one_split() -> None:
    examples = []
    for i in range(40):
        transcript, note = make_pair(i, seed=3, lines=10)
        examples.append(Example(transcript, note, row=i))
        if i % 4 == 0:  # a re-export with a typo fixed and a header line: same session
            examples.append(
                Example(
                    "Exported 2024-05-01\n" + transcript.replace("hard", "difficult", 1), note, row=1000 + i
                )
            )
    splits = split_examples(examples, DatasetConfig(seed=1))
    sets = {name: [shingles(e.transcript) for e in rows] for name, rows in splits.by_name().items()}
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        for x in sets[a]:
            assert all(jaccard(x, y) < 0.8 for y in sets[b])
    assert sum(splits.counts().values()) == len(examples)


def test_group_near_duplicates_finds_edits_not_strangers() -> None:
    a, _ = make_pair(1, lines=12)
    b = a.replace("Welcome back", "Hello again")
    c, _ = make_pair(2, lines=12)
    groups = group_near_duplicates([a, b, c, a.upper()])
    assert groups[0] == groups[1] == groups[3] != groups[2]


_row = st.tuples(st.integers(0, 10**6), st.integers(0, 3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ids=st.lists(_row, min_size=0, max_size=60, unique_by=lambda r: r[0]), seed=st.integers(0, 2**16))
def test_split_proportions_and_disjointness(ids: list[tuple[int, int]], seed: int) -> None:
    examples = []
    for ident, copies in ids:
        transcript, note = make_pair(ident % 5000, seed=ident, lines=3)
        examples.append(Example(f"{transcript} id{ident}", note, row=ident))
        examples += [
            Example(f"{transcript} id{ident}", note + f" v{k}", row=-ident - k - 1) for k in range(copies % 2)
        ]
    config = DatasetConfig(seed=seed)
    splits = split_examples(examples, config)
    parts = splits.by_name()
    keys = {name: {(e.transcript, e.summary, e.row) for e in rows} for name, rows in parts.items()}
    assert keys["train"].isdisjoint(keys["val"]) and keys["train"].isdisjoint(keys["test"])
    assert keys["val"].isdisjoint(keys["test"])
    assert sum(len(v) for v in parts.values()) == len(examples)
    targets = split_targets(len(examples), config)
    for name in parts:  # groups have at most 2 rows, so a split can miss its target by at most 1
        assert abs(len(parts[name]) - targets[name]) <= 1
    if all(copies % 2 == 0 for _, copies in ids):  # all singletons: exact
        assert splits.counts() == targets
    # a duplicated transcript never crosses splits
    where = {e.transcript: name for name, rows in parts.items() for e in rows}
    for name, rows in parts.items():
        assert all(where[e.transcript] == name for e in rows)
    # deterministic for a given seed
    assert split_examples(list(reversed(examples)), config).counts() == splits.counts()


@settings(max_examples=100, deadline=None)
@given(n=st.integers(0, 400))
def test_split_targets_sum_and_ratios(n: int) -> None:
    targets = split_targets(n, DatasetConfig())
    assert sum(targets.values()) == n and min(targets.values()) >= 0
    if n >= 3:
        assert targets["val"] >= 1 and targets["test"] >= 1
    if n >= 20:
        assert abs(targets["train"] / n - 0.8) <= 0.05 and abs(targets["val"] / n - 0.1) <= 0.05


_field = st.one_of(
    st.none(),
    st.integers(),
    st.just(""),
    st.just("   \n"),
    st.text(max_size=30),
    st.text(min_size=40, max_size=80).filter(lambda s: len(s.strip()) >= 40),
)


@settings(max_examples=200, deadline=None)
@given(transcript=_field, summary=_field)
def test_required_field_validation(transcript: object, summary: object) -> None:
    config = DatasetConfig()
    reason = validate_pair(transcript, summary, config)
    valid = (
        isinstance(transcript, str)
        and isinstance(summary, str)
        and "\x00" not in transcript + summary
        and len(transcript.strip()) >= config.min_transcript_chars
        and config.min_summary_chars <= len(summary.strip()) <= config.max_summary_chars
    )
    assert (reason is None) == valid
    if transcript is None:
        assert reason is not None and "session_transcription" in reason


def test_glob_ignores_side_files_but_explicit_files_must_be_corpus(tmp_path: Path) -> None:
    write_corpus(tmp_path / "part_a.csv", 5)
    (tmp_path / "part_a_meta.csv").write_text("id,problem\nc-001,insomnia\n", encoding="utf-8")
    loaded = DatasetLoader().load([str(tmp_path / "part_*.csv")])
    assert len(loaded.examples) == 5 and loaded.report.files_ignored == [str(tmp_path / "part_a_meta.csv")]
    with pytest.raises(MissingColumnsError, match="session_transcription"):
        DatasetLoader().load([tmp_path / "part_a_meta.csv"])
    with pytest.raises(MissingColumnsError, match="no input has the required columns"):
        DatasetLoader().load([str(tmp_path / "part_a_m*.csv")])
