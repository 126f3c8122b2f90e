"""Where the browser may go after signing in: local paths only."""

from __future__ import annotations

import pytest

from ui.session import safe_next


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/claims?status=denied", "/claims?status=denied"),
        ("/claims/12", "/claims/12"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("claims", "/"),
        ("/login", "/"),
        ("/logout", "/"),
        ("/claims\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_only_local_paths_are_followed(requested: str | None, expected: str) -> None:
    assert safe_next(requested) == expected
