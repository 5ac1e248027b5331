"""Database errors translated once, into what a flow can act on: retry, or stop and fix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


class WarehouseError(RuntimeError):
    """Base class of warehouse errors."""


class TransientWarehouseError(WarehouseError):
    """Worth retrying: the file is locked by another process, or I/O hiccupped."""


class TerminalWarehouseError(WarehouseError):
    """Retrying will not help: bad SQL, a constraint, a corrupt or unwritable file."""


LOCK_HINT = (
    "another process holds the database file (DuckDB allows one writer process and no readers beside it); "
    "close the other session or wait for the run to finish"
)


@contextmanager
def translated(path: str) -> Iterator[None]:
    try:
        yield
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise TransientWarehouseError(f"{path}: {LOCK_HINT} ({exc})") from exc
        raise TransientWarehouseError(f"{path}: I/O error: {exc}") from exc
    except duckdb.Error as exc:
        raise TerminalWarehouseError(f"{path}: {exc}") from exc


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TransientWarehouseError)
