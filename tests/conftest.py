import os
import tempfile

from tremor.runtime import apply_defaults

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tremor-prefect-"))
os.environ.setdefault("TREMOR_SOURCES__FETCH__ENABLED", "false")  # tests that fetch turn it on themselves
apply_defaults()

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for the tests that run flows."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):
        yield
