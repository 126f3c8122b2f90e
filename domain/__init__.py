"""Domain: SQLModel models, business rules and use cases. Pure of web, scheduler and storage."""
