"""Tables of the telegram feature (sqlmodel, same conventions as storage/tables.py)."""
