"""Every UI test runs the portal against its own private copy of the small demo database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine


@pytest.fixture(autouse=True)
def _private_demo_database(demo_db: Engine) -> Engine:
    return demo_db
