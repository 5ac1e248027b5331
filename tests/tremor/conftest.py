import pytest

from tests.synthetic import build_warehouse
from warehouse.snapshot import publish


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory):
    """A read-only-by-convention warehouse with one planted flare-up, and its analyst snapshot (which the
    commands read); tests that write build their own."""
    db = build_warehouse(tmp_path_factory.mktemp("synthetic") / "tremor.duckdb")
    publish(db)
    return db
