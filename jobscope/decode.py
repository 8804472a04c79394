"""Bytes to text: BOM, declared charset, HTML meta tag, then detection. Never a silent Latin-1."""

from __future__ import annotations

import codecs
import re

from jobscope.errors import BinaryInputError, DecodeError, EmptyInputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)
# Magic numbers of formats people hand us by mistake.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def sniff_binary(data: bytes) -> str | None:
    """Return a description when `data` is binary, None when it looks like text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    if b"\x00" in head:
        return "binary data"
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls / len(head) > 0.05:
        return "binary data"
    return None


def decode_bytes(
    data: bytes, *, declared: str | None = None, what: str = "input", html: bool = False
) -> tuple[str, str]:
    """Decode `data` to text and return (text, encoding used).

    Order: byte-order mark, the declared charset (HTTP header), an HTML meta tag,
    strict UTF-8, then charset detection. Raises EmptyInputError, BinaryInputError
    or DecodeError with a message that names `what`.
    """
    if not data.strip():
        raise EmptyInputError(f"{what} is empty")
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(bom_encoding), bom_encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"{what}: bytes do not match its {bom_encoding} byte-order mark"
                ) from exc
    binary = sniff_binary(data)
    if binary:
        raise BinaryInputError(f"{what} is {binary}, not a text, HTML or JSON job ad")
    candidates: list[str | None] = [_codec(declared)]
    if html:
        match = _META_CHARSET.search(data[:4096])
        candidates.append(_codec(match.group(1).decode("ascii", "replace")) if match else None)
    candidates.append("utf-8")
    for encoding in candidates:
        if not encoding:
            continue
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes  # lazy: only non-UTF-8 input pays for it

    best = from_bytes(data[:200_000], preemptive_behaviour=False).best()
    if best is None or best.encoding is None:
        raise DecodeError(f"{what}: cannot tell the text encoding (not UTF-8, no charset given)")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError(f"{what}: bytes are not valid {best.encoding}") from exc
