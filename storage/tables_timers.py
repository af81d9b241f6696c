"""Tables of the timers feature (sqlmodel, same conventions as storage/tables.py)."""
