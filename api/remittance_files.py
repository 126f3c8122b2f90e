"""835 files from the command line: the plan's export of every practice's remittances.

`python main.py export-835 --since DATE --out DIR` calls export_835_since: one 835 per
remittance paid on or after DATE, named by its payment number (the EFT trace or check number,
unique per remittance). Each export is audited; the terminal hears counts and file names only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import domain.models  # noqa: F401  (every table, so the audit event's foreign keys resolve)
from domain.remittance_advice import remittances_since
from interop.x12.remittance_835 import file_name, render_835
from storage.db import unit_of_work


def export_835_since(since: date, out_dir: Path, *, at: datetime | None = None) -> list[Path]:
    """Write an 835 for every remittance paid on or after `since` into `out_dir` (created if
    missing); returns the files written, oldest payment first."""
    at = at or datetime.now(UTC)
    with unit_of_work() as session:
        advices = remittances_since(session=session, since=since, at=at)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for advice in advices:
        path = out_dir / file_name(advice)
        path.write_text(render_835(advice, at=at), encoding="ascii", errors="replace")
        written.append(path)
    return written
