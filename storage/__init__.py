"""Storage: engine and sessions, SQLite/PostgreSQL specifics, migrations, bulk loaders, seed data."""
