"""The attachment store keeps bytes under names it makes up, readable by the service only, in
a folder no route serves; a name that is not one of its own is never opened."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from storage.attachments import STORED_NAME, AttachmentStore, StoredFileMissing, attachments_root
from storage.settings import get_settings


def test_names_are_generated_and_files_private(tmp_path: Path) -> None:
    root = tmp_path / "attachments"
    root.mkdir(mode=0o755)
    root.chmod(0o755)  # as an operator might have made it
    store = AttachmentStore(root)
    first, second = store.save(b"%PDF-1 %%EOF", "pdf"), store.save(b"%PDF-1 %%EOF", "pdf")
    assert first != second and STORED_NAME.match(first) and STORED_NAME.match(second)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / first).stat().st_mode) == 0o600
    assert store.read(first) == b"%PDF-1 %%EOF"
    assert sorted(path.name for path in root.iterdir()) == sorted([first, second])


@pytest.mark.parametrize(
    "name", ["../portico.db", "/etc/passwd", "a" * 32 + ".exe", "A" * 32 + ".pdf", ".x.partial"]
)
def test_a_name_the_store_did_not_make_is_never_opened(tmp_path: Path, name: str) -> None:
    store = AttachmentStore(tmp_path)
    with pytest.raises(StoredFileMissing):
        store.read(name)


def test_an_extension_is_one_of_the_checked_types(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an attachment extension"):
        AttachmentStore(tmp_path).save(b"x", "html")
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_beside_the_database_not_in_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_DATABASE_URL", f"sqlite:///{tmp_path / 'portico.db'}")
    monkeypatch.delenv("PORTICO_ATTACHMENTS_DIR", raising=False)
    get_settings.cache_clear()
    try:
        root = attachments_root()
    finally:
        get_settings.cache_clear()
    assert root == tmp_path / "attachments"
    code = Path(__file__).resolve().parents[2]
    assert not root.is_relative_to(code / "ui") and not root.is_relative_to(code / "api")
