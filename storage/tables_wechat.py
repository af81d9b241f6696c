"""Tables of the wechat feature (sqlmodel, same conventions as storage/tables.py)."""
