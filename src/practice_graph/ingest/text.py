"""Reading a list file for ingest, its one-line errors, and the comparison form of names."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path


class IngestError(Exception):
    """Input that cannot be drafted (empty, truncated, not a list); the message is one line."""


def read_list(path: Path) -> str:
    """The list's text; an empty, undecodable or cut-off file is an IngestError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise IngestError(f"{path}: cannot read: {error.strerror or error}") from None
    if not raw.strip():
        raise IngestError(f"{path}: empty file: no list to ingest")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(raw) - 3:
            raise IngestError(f"{path}: truncated: the file ends inside a UTF-8 character "
                              f"(byte {error.start})") from None
        raise IngestError(f"{path}: not UTF-8: byte {error.start} (0x{raw[error.start]:02x})") from None
    if "\x00" in text:
        raise IngestError(f"{path}: contains NUL characters at offset {text.index(chr(0))}: not a text list")
    return text


def normalize(text: str) -> str:
    """Comparison form: NFKC (full-width to half-width), no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
