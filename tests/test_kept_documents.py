"""Files that messages attach are read from their store by plain name only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.documents import KeptDocuments


def test_a_kept_file_is_read_by_its_name(tmp_path: Path) -> None:
    (tmp_path / "BA2026112500001.en.pdf").write_bytes(b"%PDF-1.4")
    documents = KeptDocuments({"agreement": tmp_path})
    assert documents.read("agreement", "BA2026112500001.en.pdf") == b"%PDF-1.4"
    assert documents.read("agreement", "BA2026112500002.pdf") is None
    assert documents.read("photos", "BA2026112500001.en.pdf") is None


@pytest.mark.parametrize("name", ["../secret.pdf", "/etc/passwd", "a/b.pdf", ".hidden", "a..pdf"])
def test_a_name_that_is_a_path_reads_nothing(tmp_path: Path, name: str) -> None:
    store = tmp_path / "agreements"
    store.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"secret")
    assert KeptDocuments({"agreement": store}).read("agreement", name) is None
