"""The database schema (sqlmodel tables): ``core`` and one module per feature; importing
``storage.tables.core`` registers them all on the metadata."""
