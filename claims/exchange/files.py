"""Uploaded dataset files before they are rows: the size limit, emptiness, and the encoding.

A dataset is UTF-8 (with or without a byte-order mark), or a zipped data package of UTF-8 files
(claims.exchange.datapackage), which may not unpack past the size limit. Any other file is
refused with a sentence its sender can act on: which encoding it looks like, and to save it as
UTF-8. Every door (the API, the admin, the command, the import job itself) asks the same
functions, so a file is refused the same way wherever it comes in.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import PurePosixPath
from typing import BinaryIO

from django.conf import settings

DESCRIPTOR = "datapackage.json"
SAVE_AS_UTF8 = "save it as UTF-8 and upload it again"
_OTHER_BOMS = [
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16: its mark starts with UTF-16's
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
]
# Bytes 0x80–0x9f are control codes in Latin-1 but letters and quotes in Windows-1252; these
# five are unassigned in Windows-1252 too.
_CP1252_UNASSIGNED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


class UnreadableFile(Exception):
    """A file that is not a dataset at all (empty, too large, not UTF-8), and why."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def limit_message() -> str:
    limit = settings.IMPORT_MAX_BYTES
    return f"imports are limited to {megabytes(limit)} ({limit} bytes, IMPORT_MAX_BYTES)"


def check_size(size: int | None) -> None:
    """Refuse a file over IMPORT_MAX_BYTES, or one with nothing in it."""
    if size == 0:
        raise UnreadableFile("the file is empty: it holds no records")
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise UnreadableFile(f"the file is {megabytes(size)}; {limit_message()}", too_large=True)


def decode(data: bytes) -> str:
    """The text of a dataset file, or UnreadableFile saying what the file is instead."""
    check_size(len(data))
    for mark, name in _OTHER_BOMS:
        if data.startswith(mark):
            raise UnreadableFile(
                f"the file is not UTF-8: it is {name} (it starts with a {name} byte-order "
                f"mark); {SAVE_AS_UTF8}"
            )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(
            f"the file is not UTF-8: it looks like {_guess(data, _high_bytes(data))} (line {line} "
            f"has the byte "
            f"0x{data[error.start]:02x}, which UTF-8 does not allow there); {SAVE_AS_UTF8}"
        ) from None
    if "\x00" in text:
        raise UnreadableFile(
            "the file holds NUL bytes, so it is not UTF-8 text (it may be UTF-16 without a "
            f"byte-order mark); {SAVE_AS_UTF8}"
        )
    if not text.strip():
        raise UnreadableFile("the file is empty: it holds only blank lines")
    return text


def check_stream(stream: BinaryIO) -> None:
    """The checks of ``decode()``, with the same messages, reading ``stream`` (a binary file,
    from its start) a line at a time instead of holding its text: what a file too large to
    hold twice in memory is asked. Leaves the stream at its start."""
    stream.seek(0, 2)
    check_size(stream.tell())
    stream.seek(0)
    start = stream.read(4096)
    for mark, name in _OTHER_BOMS:
        if start.startswith(mark):
            raise UnreadableFile(
                f"the file is not UTF-8: it is {name} (it starts with a {name} byte-order "
                f"mark); {SAVE_AS_UTF8}"
            )
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    blank = True
    for number, raw in enumerate(stream, start=1):
        try:
            text = decoder.decode(raw)
        except UnicodeDecodeError as error:
            high = _high_bytes(raw)
            high.update(*(_high_bytes(rest) for rest in stream))
            stream.seek(0)
            raise UnreadableFile(
                f"the file is not UTF-8: it looks like {_guess(start, high)} (line {number} has "
                f"the byte 0x{raw[error.start]:02x}, which UTF-8 does not allow there); "
                f"{SAVE_AS_UTF8}"
            ) from None
        if "\x00" in text:
            stream.seek(0)
            raise UnreadableFile(
                "the file holds NUL bytes, so it is not UTF-8 text (it may be UTF-16 without a "
                f"byte-order mark); {SAVE_AS_UTF8}"
            )
        blank = blank and not text.strip()
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        stream.seek(0)
        raise UnreadableFile(
            f"the file is not UTF-8: its last line ends inside a character; {SAVE_AS_UTF8}"
        ) from None
    stream.seek(0)
    if blank:
        raise UnreadableFile("the file is empty: it holds only blank lines")


# Every byte but 0x80–0x9f, removed by bytes.translate to keep those.
_NOT_HIGH = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)


def _high_bytes(data: bytes) -> set[int]:
    return set(data.translate(None, _NOT_HIGH))


def _guess(sample: bytes, high: set[int]) -> str:
    """The likeliest 8-bit or 16-bit encoding of bytes that are not UTF-8 (``sample``: the
    file's first bytes; ``high``: which of the bytes 0x80–0x9f it holds)."""
    sample = sample[:4096]
    if sample and sample.count(0) * 4 >= len(sample):  # every other byte NUL: ASCII as UTF-16
        return "UTF-16 without a byte-order mark"
    if high and not high & _CP1252_UNASSIGNED:
        return "Windows-1252"  # curly quotes, dashes, € and so on
    return "Latin-1 (ISO-8859-1) or Windows-1252"


def is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def members_of_zip(data: bytes) -> dict[str, bytes]:
    """The files of a zipped data package by name (folders inside the zip ignored), refusing
    one that is no zip, holds no datapackage.json, or would unpack past IMPORT_MAX_BYTES."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            check_size(sum(i.file_size for i in infos) or None)
            members = {PurePosixPath(i.filename).name: archive.read(i) for i in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise UnreadableFile(f"the zip cannot be read ({error})") from None
    if DESCRIPTOR not in members:
        raise UnreadableFile(f"the zip holds no {DESCRIPTOR}, so it is not a data package")
    return members


def check_readable(data: bytes) -> None:
    """Refuse, with the reason, a file that is no dataset at all (the doors ask at upload)."""
    if is_zip(data):
        members_of_zip(data)
    else:
        decode(data)
