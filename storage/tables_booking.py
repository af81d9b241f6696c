"""Tables of the booking feature (sqlmodel, same conventions as storage/tables.py)."""
