"""Checks on an uploaded attachment: its type from its bytes, its size, and a safe display name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_NAME_LENGTH = 120
# How much of a file the type check needs: the start (the magic number, and for a PNG its
# first chunk's type) and the end, where each format puts its end marker: %%EOF within the
# last 1024 bytes of a PDF (ISO 32000, 7.5.5), a PNG's IEND chunk, a JPEG's EOI (FF D9).
HEAD_BYTES = 16
TAIL_BYTES = 1024
_READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class AttachmentKind:
    content_type: str
    extension: str
    label: str


PDF = AttachmentKind("application/pdf", "pdf", "PDF")
PNG = AttachmentKind("image/png", "png", "PNG image")
JPEG = AttachmentKind("image/jpeg", "jpg", "JPEG image")
KINDS_BY_TYPE = {kind.content_type: kind for kind in (PDF, PNG, JPEG)}
ALLOWED = "a PDF, PNG or JPEG file"


class AttachmentRefused(ValueError):
    """The file cannot be attached; the message names the file and says why, for the page."""


@dataclass(frozen=True)
class CheckedAttachment:
    """A file that passed: its cleaned name, its type as the bytes tell, and its bytes."""

    display_name: str
    kind: AttachmentKind
    data: bytes

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def clean_file_name(name: str) -> str:
    """A name fit to show and to offer as a download name: no folders (either slash), no
    control or format characters (a right-to-left override can disguise 'gpj.exe' as
    'exe.jpg'), no quotes, whitespace collapsed, at most MAX_NAME_LENGTH characters with the
    extension kept."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        " " if character.isspace() else character
        for character in base
        if not unicodedata.category(character).startswith("C") and character not in "\"'<>"
    )
    kept = " ".join(kept.split()).strip(" .")
    if not kept:
        return "attachment"
    if len(kept) <= MAX_NAME_LENGTH:
        return kept
    stem, dot, extension = kept.rpartition(".")
    if dot and 0 < len(extension) <= 8:
        return stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
    return kept[:MAX_NAME_LENGTH]


def detect_kind(head: bytes, tail: bytes) -> AttachmentKind | None:
    """The type the bytes say, or None. Each format needs its start and its end marker, so a
    truncated upload, or another file (an HTML page, a script) behind a borrowed magic
    number, is not taken for a document: a PNG's first chunk must be IHDR (the PNG spec
    requires it) and its last IEND; a JPEG must end with EOI; a PDF with %%EOF."""
    end = tail[-TAIL_BYTES:]
    if head.startswith(b"%PDF-") and b"%%EOF" in end:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and b"IEND" in end:
        return PNG
    if head.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in end:
        return JPEG
    return None


def size_refusal(name: str, size: int) -> str | None:
    """Decided from the size alone, before a byte is read."""
    shown = clean_file_name(name)
    if size <= 0:
        return f"{shown} is empty."
    if size > MAX_ATTACHMENT_BYTES:
        return _too_large(shown, f"is {size / (1024 * 1024):.1f} MB")
    return None


def _too_large(shown: str, how_big: str) -> str:
    return (
        f"{shown} {how_big}; each attachment may be at most "
        f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB. Scan at a lower resolution or split "
        "the document."
    )


def check_attachment(name: str, data: bytes) -> CheckedAttachment:
    """The file as it may be stored, or AttachmentRefused with a message for the person."""
    refusal = size_refusal(name, len(data))
    if refusal:
        raise AttachmentRefused(refusal)
    shown = clean_file_name(name)
    kind = detect_kind(data[:HEAD_BYTES], data[-TAIL_BYTES:])
    if kind is None:
        claimed = shown.rpartition(".")[2].lower() if "." in shown else ""
        said = (
            f" Its name ends in .{claimed}, but its contents are not {ALLOWED}." if claimed else ""
        )
        raise AttachmentRefused(
            f"{shown} was not attached: only PDF, PNG and JPEG files are accepted.{said} "
            "Save or export the document as PDF and attach that."
        )
    return CheckedAttachment(display_name=shown, kind=kind, data=data)


def check_attachments(files: list[tuple[str, bytes]]) -> list[CheckedAttachment]:
    """Every file must pass, or none is taken: all refusals in one message."""
    if len(files) > MAX_ATTACHMENTS:
        raise AttachmentRefused(
            f"An appeal can carry at most {MAX_ATTACHMENTS} attachments; {len(files)} were given."
        )
    checked: list[CheckedAttachment] = []
    refusals: list[str] = []
    for name, data in files:
        try:
            checked.append(check_attachment(name, data))
        except AttachmentRefused as refused:
            refusals.append(str(refused))
    if refusals:
        raise AttachmentRefused(" ".join(refusals))
    return checked


def read_within_limit(stream: BinaryIO, *, name: str, limit: int = MAX_ATTACHMENT_BYTES) -> bytes:
    """Read a file of unknown size in chunks, giving up as soon as it passes `limit`: a 50 MB
    upload costs at most limit + one chunk of memory, never its whole size."""
    parts: list[bytes] = []
    total = 0
    while chunk := stream.read(_READ_CHUNK):
        total += len(chunk)
        if total > limit:
            raise AttachmentRefused(_too_large(clean_file_name(name), "is too large"))
        parts.append(chunk)
    return b"".join(parts)
