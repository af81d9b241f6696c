"""The repositories the unit of work attaches (``storage/uow.py``), one module each."""
