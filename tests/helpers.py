"""Plain functions the tests share (fixtures stay in conftest.py)."""

from __future__ import annotations

import typing as t


def rows_of(pages: t.Iterable[list]) -> list:
    """Every row of a page-at-a-time read (`paging.read_pages`, `KeysetReader.pages`), in order."""
    return [row for page in pages for row in page]
