"""The attack tests run the portal against a private copy of the small demo database, like the
UI tests, so they can plant records in the other practice and read them back."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine


@pytest.fixture(autouse=True)
def _private_demo_database(demo_db: Engine) -> Engine:
    return demo_db
