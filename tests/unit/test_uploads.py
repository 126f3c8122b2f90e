"""Attachment checks: the type comes from the bytes, sizes are refused before reading, and the
uploaded name is cleaned for display."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from domain.uploads import (
    HEAD_BYTES,
    JPEG,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    PDF,
    PNG,
    AttachmentRefused,
    check_attachment,
    check_attachments,
    clean_file_name,
    detect_kind,
    read_within_limit,
    size_refusal,
)

A_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A real 1x1 grey PNG (signature, IHDR, IDAT, IEND) and a minimal JPEG (SOI, APP0, EOI).
A_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    + _png_chunk(b"IEND", b"")
)
A_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"
AN_EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (A_PDF, PDF),
        (A_PNG, PNG),
        (A_JPEG, JPEG),
        (AN_EXE, None),
        (b"%PDF-1.4 but cut off before its end", None),  # a truncated PDF has no %%EOF
        (b"\x7fELF" + b"\x00" * 32, None),
        (b"<html><script>alert(1)</script></html>", None),
        # A borrowed magic number in front of something else is not an image.
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", None),
        (b"\xff\xd8\xff<script>alert(1)</script>", None),
        (A_PNG[:40], None),  # a PNG cut off before its IEND
        (A_JPEG[:-2], None),  # a JPEG cut off before its EOI
    ],
)
def test_the_type_comes_from_the_bytes(data: bytes, kind: object) -> None:
    assert detect_kind(data[:HEAD_BYTES], data[-1024:]) is kind
    if kind is not None:
        assert check_attachment("file", data).kind is kind


def test_a_binary_renamed_to_pdf_is_refused_with_a_clear_message() -> None:
    with pytest.raises(AttachmentRefused) as refused:
        check_attachment("invoice.pdf", AN_EXE)
    message = str(refused.value)
    assert "invoice.pdf" in message
    assert "ends in .pdf" in message and "PDF, PNG and JPEG" in message


def test_a_pdf_passes_whatever_its_name_says() -> None:
    checked = check_attachment("../../etc/scan.PNG", A_PDF)
    assert checked.kind is PDF and checked.display_name == "scan.PNG"


def test_a_50_mb_file_is_refused_from_its_size_alone() -> None:
    fifty_mb = 50 * 1024 * 1024
    refusal = size_refusal("scan.pdf", fifty_mb)
    assert refusal is not None and "50.0 MB" in refusal and "10 MB" in refusal
    assert size_refusal("scan.pdf", MAX_ATTACHMENT_BYTES) is None
    assert size_refusal("empty.pdf", 0) == "empty.pdf is empty."


class _Endless(io.RawIOBase):
    """A 50 MB upload that is made up as it is read, counting what was asked of it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.served = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = min(self.left, size if size >= 0 else self.left)
        self.left -= n
        self.served += n
        return b"\x00" * n


def test_reading_a_50_mb_stream_stops_just_past_the_limit() -> None:
    stream = _Endless(50 * 1024 * 1024)
    with pytest.raises(AttachmentRefused, match="too large"):
        read_within_limit(stream, name="huge.pdf")  # type: ignore[arg-type]
    assert stream.served <= MAX_ATTACHMENT_BYTES + 1024 * 1024
    assert read_within_limit(io.BytesIO(A_PDF), name="ok.pdf") == A_PDF


def test_all_files_pass_or_none_is_taken() -> None:
    with pytest.raises(AttachmentRefused) as refused:
        check_attachments([("notes.pdf", A_PDF), ("setup.pdf", AN_EXE), ("x.png", b"")])
    assert "setup.pdf" in str(refused.value) and "x.png is empty" in str(refused.value)
    with pytest.raises(AttachmentRefused, match=f"at most {MAX_ATTACHMENTS}"):
        check_attachments([("a.pdf", A_PDF)] * (MAX_ATTACHMENTS + 1))
    assert [c.kind for c in check_attachments([("a.pdf", A_PDF), ("b.jpg", A_JPEG)])] == [
        PDF,
        JPEG,
    ]


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("C:\\Users\\kim\\Desktop\\notes.pdf", "notes.pdf"),
        ("/etc/passwd", "passwd"),
        ("report\x00.pdf", "report.pdf"),
        ("evil\u202egpj.exe", "evilgpj.exe"),  # right-to-left override removed
        ('a "quoted" <name>.pdf', "a quoted name.pdf"),
        ("   ", "attachment"),
        ("..", "attachment"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_names_are_cleaned_for_display(uploaded: str, shown: str) -> None:
    assert clean_file_name(uploaded) == shown
