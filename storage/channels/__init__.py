"""What each chat channel keeps in the database: one package per channel (its tables and
the queries its adapter makes)."""
