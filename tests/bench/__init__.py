"""tests/bench package."""
