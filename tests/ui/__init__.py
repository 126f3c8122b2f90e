"""tests/ui package."""
