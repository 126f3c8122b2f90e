"""tests/storage package."""
