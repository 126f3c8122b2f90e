"""The attachment store: uploaded files' bytes on disk under generated names, outside any served
path; the database keeps the metadata (domain.appeals.AppealAttachment)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.settings import get_settings

# uuid4 hex + the extension of the type the bytes were found to be (domain.uploads): a stored
# name never carries anything the uploader chose, so it cannot traverse folders or collide.
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


class StoredFileMissing(LookupError):
    pass


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, data: bytes, extension: str) -> str:
        """Write the bytes under a new name and return it. Written to a temporary name and
        renamed, so a reader never sees half a file."""
        stored_name = f"{uuid.uuid4().hex}.{extension}"
        if not STORED_NAME.match(stored_name):
            raise ValueError(f"not an attachment extension: {extension!r}")
        self._make_root()
        target = self.root / stored_name
        partial = self.root / f".{stored_name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return stored_name

    def _make_root(self) -> None:
        """The folder, readable by this service's account only: mkdir's mode is cut by the
        umask and ignored for a folder that exists, so a group or world bit is taken off here."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.root.stat().st_mode & 0o077:
            self.root.chmod(0o700)

    def read(self, stored_name: str) -> bytes:
        return self._path(stored_name).read_bytes()

    def discard(self, stored_name: str) -> None:
        self._path(stored_name).unlink(missing_ok=True)

    def exists(self, stored_name: str) -> bool:
        return self._path(stored_name).is_file()

    def _path(self, stored_name: str) -> Path:
        if not STORED_NAME.match(stored_name):
            raise StoredFileMissing(stored_name)
        return self.root / stored_name


def attachments_root() -> Path:
    """The configured folder, else an 'attachments' folder beside the SQLite database (so a test
    database in a temporary folder gets its own store), else ./data/attachments."""
    settings = get_settings()
    if settings.attachments_dir:
        return Path(settings.attachments_dir).resolve()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "attachments"
    return Path("data/attachments").resolve()


def attachment_store() -> AttachmentStore:
    return AttachmentStore(attachments_root())
