"""Tables of the adjudication feature (sqlmodel, same conventions as storage/tables.py)."""
