"""House rules that no linter here checks: every module starts by saying what it is for."""

from __future__ import annotations

import ast
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Tooling and generated code (Alembic revisions live in storage/migrations/versions).
SKIPPED_DIRS = {".git", ".venv", ".nicegui", "__pycache__", "versions", "node_modules"}


def python_modules() -> list[Path]:
    modules = []
    for directory, subdirectories, files in os.walk(REPO):
        # Pruned in place so os.walk never descends into the venv or caches.
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED_DIRS]
        for name in files:
            path = Path(directory, name)
            # An empty __init__.py only marks a package; it has nothing to describe.
            if name.endswith(".py") and path.read_text().strip():
                modules.append(path)
    return sorted(modules)


def test_every_module_starts_with_a_docstring() -> None:
    undocumented = [
        str(module.relative_to(REPO))
        for module in python_modules()
        if not ast.get_docstring(ast.parse(module.read_text()))
    ]
    assert not undocumented, f"open these with a line saying what they are for: {undocumented}"


def test_readme_lists_the_demo_accounts_and_showcase_members() -> None:
    """The README is how a new user finds their way in; it must match what the seed makes."""
    from storage.seed.demo import DEMO_ACCOUNTS, SHOWCASE

    readme = (REPO / "README.md").read_text()
    for account in DEMO_ACCOUNTS:
        assert account.email in readme
    for member in SHOWCASE:
        assert f"| {member.member_id} | {member.date_of_birth.isoformat()} |" in readme
