"""Storage: engines, sessions, migrations, bulk loaders, aggregate queries and seed data."""
