"""A project's data: the engine, reading exports into canonical tables, checks, pseudonymization, results."""
