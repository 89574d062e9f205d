"""Turn the bytes of a scraped file into text: UTF-8 or UTF-16/32 with or without BOM, nothing else.

Anything that does not decode to plausible text (binary data, legacy 8-bit encodings, truncated
UTF-16) is refused with an :class:`InputError` that says why, instead of producing mojibake.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import regex

from aligner.errors import InputError

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_IMPLAUSIBLE = regex.compile(r"[\p{Cc}--[\n\r\t\f\v]]|[\p{Cn}\p{Co}\p{Cs}]", flags=regex.V1)
# Share of characters that must look like text (assigned, not control/private/surrogate). Valid
# UTF-8 is looser: random bytes are almost never valid UTF-8, and stray control characters in real
# text (a pasted escape, a form feed) are dropped by normalization anyway.
MIN_PLAUSIBLE_SHARE = 0.97
MIN_PLAUSIBLE_SHARE_UTF8 = 0.8
# Real text of any length has some whitespace; UTF-16 guesses on random bytes have none.
MIN_WHITESPACE_SHARE = 0.003


def _implausible_characters(text: str) -> int:
    """Control characters other than white space, unassigned, private-use and surrogate code points."""
    return sum(1 for _ in _IMPLAUSIBLE.finditer(text))


def _ascii_whitespace(text: str) -> int:
    return sum(text.count(ch) for ch in " \n\r\t")


def _looks_like_text(text: str, min_plausible: float = MIN_PLAUSIBLE_SHARE) -> bool:
    if not text:
        return True
    plausible = 1 - _implausible_characters(text) / len(text)
    whitespace = _ascii_whitespace(text) / len(text)
    return plausible >= min_plausible and (whitespace >= MIN_WHITESPACE_SHARE or len(text) < 40)


def decode_bytes(data: bytes, path: Path | str) -> tuple[str, str]:
    """Return ``(text, encoding)`` or raise :class:`InputError` naming ``path``."""
    if not data:
        raise InputError(path, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as err:
                raise InputError(path, f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                                       f"(byte {err.start + len(bom)})") from None
            return text, f"{encoding}-bom"
    utf8_error = None
    try:
        text = data.decode("utf-8")
        if "\x00" not in text and _looks_like_text(text, MIN_PLAUSIBLE_SHARE_UTF8):
            return text, "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    if len(data) % 2 == 0:
        # Both byte orders can decode to "letters" (Arabic read backwards is CJK); the right one
        # puts ASCII spaces and newlines where the other puts U+2000 and U+0A00.
        candidates = []
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                candidates.append((_ascii_whitespace(text), text, encoding))
        if candidates:
            _, text, encoding = max(candidates, key=lambda c: c[0])
            return text, encoding
    if b"\x00" in data or utf8_error is None:
        raise InputError(path, "binary file (not UTF-8 or UTF-16 text): refusing to read it")
    raise InputError(path, f"not valid UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at offset "
                           f"{utf8_error.start}) and not UTF-16; convert it to UTF-8 first")


def read_text_file(path: Path) -> tuple[str, str, bytes]:
    """Read and decode a file; return ``(text, encoding, raw bytes)``.

    Opened without blocking and checked to be a regular file before it is read, so a named pipe
    or a device put in the folder after it was listed is refused instead of hanging the build.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(path, "is a directory, not a text file")
        if not stat.S_ISREG(mode):
            raise InputError(path, "not a regular file: not read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)
    text, encoding = decode_bytes(data, path)
    return text, encoding, data
