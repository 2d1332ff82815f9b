"""Decode CSV bytes whose encoding is unknown: exports from spreadsheets and EHR tools arrive as
UTF-8, UTF-8 with a BOM, UTF-16 (Excel "Unicode text") or Windows-1252."""

from __future__ import annotations

import codecs
import logging

logger = logging.getLogger(__name__)

# Order matters: UTF-8 is tried before the single-byte code pages because valid UTF-8 is almost
# never accidental, while every byte string is "valid" latin-1. cp1252 comes before latin-1 because
# real Windows exports use its curly quotes/dashes in 0x80-0x9F, which latin-1 maps to control chars.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACKS: tuple[str, ...] = ("utf-8", "cp1252", "latin-1")


class EncodingDetectionError(ValueError):
    """No candidate encoding decodes the file."""


def detect_encoding(data: bytes) -> str:
    """The codec name that decodes ``data``: a BOM wins, then strict UTF-8, cp1252, charset-normalizer."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    for name in _FALLBACKS[:2]:
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        return name
    # cp1252 leaves five bytes undefined; before falling back to latin-1 ask charset-normalizer,
    # which may recognise another legacy code page from byte statistics.
    guess = _charset_normalizer_guess(data)
    return guess or "latin-1"


def _charset_normalizer_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: the ordered fallbacks still work without it
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    logger.info("charset-normalizer guessed %s", best.encoding)
    return best.encoding


def decode_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``; a leading BOM is removed from the text."""
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise EncodingDetectionError(f"could not decode as {encoding}: {exc}") from exc
    return text.lstrip("\ufeff"), encoding
