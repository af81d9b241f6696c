"""The content-addressed media store (``store``) and what it records of each file."""
