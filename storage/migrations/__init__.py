"""The Alembic environment of the claimbot schema (run through ``storage.migrate``)."""
