"""The files that messages attach (``messages.outbound.Document``), read from their stores.

A store is a folder the product writes its own files to (issued agreements); a name is a
plain file name in it, never a path, so a stored payload cannot point anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")


class KeptDocuments:
    def __init__(self, stores: Mapping[str, Path]) -> None:
        self._stores = dict(stores)

    def read(self, store: str, name: str) -> bytes | None:
        """The file's bytes; None if the store, or the file in it, is unknown."""
        root = self._stores.get(store)
        if root is None or len(name) > 100 or not PLAIN_NAME.fullmatch(name):
            return None
        path = root / name
        return path.read_bytes() if path.is_file() else None
