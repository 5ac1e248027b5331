"""A Prefect server on this machine for as long as a command needs one (`tremor serve`, the Dask backfill).

Prefect's temporary server (what a flow starts when no PREFECT_API_URL is set) runs no scheduler and lives in
a child of one process, so scheduled runs and worker processes need `prefect server start`. It is started on
127.0.0.1, in its own process group, and this process reports to it until the `with` block ends, when it is
stopped. On Linux it also gets the kernel's parent-death signal: if the command is killed (kill -9 included),
the server goes with it instead of running on, re-parented. (The kernel ties that signal to the thread that
started the server: start it from a thread that lives as long as the `with` block, such as the main thread.)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect.settings import PREFECT_API_URL, PREFECT_HOME, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, \
    temporary_settings

from flows.errors import PrefectServerDidNotStart


# Run as `python -c` between fork and `prefect server start`: asks the kernel for SIGKILL when the process that
# started it dies (PR_SET_PDEATHSIG = 1; it survives exec), gives up if that process is already gone, then execs
# the server. Done in a fresh interpreter rather than a preexec_fn, which is unsafe in a process with threads.
_EXEC_WITH_PARENT_DEATH_SIGNAL = """\
import ctypes, os, signal, sys
if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) != 0:
    sys.exit(f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(ctypes.get_errno())}")
if os.getppid() != int(sys.argv[1]):
    sys.exit("the process that started the Prefect server is gone")
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


@contextmanager
def local_prefect_server(home: Path | None = None, timeout_s: float | None = None, port: int = 0,
                         ui: bool = False) -> Iterator[str]:
    """`prefect server start --host 127.0.0.1` on `port` (0: a free one), state in `home` (default
    PREFECT_HOME); yields its API URL, which this process (and every flow run or task it starts) reports to
    until exit, when the server is stopped. `ui`: serve Prefect's UI at the same address."""
    home = Path(home or PREFECT_HOME.value())
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    _check_port_free(port)
    url, log = f"http://127.0.0.1:{port}/api", home / "tremor-server.log"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_UI_ENABLED": str(ui).lower(),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    server_args = ["-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "wb") as out:
        server = subprocess.Popen(_with_parent_death_signal(server_args), env=env, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_until_healthy(url, server, timeout_s or PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value(), log)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            _drain_prefect_workers()  # events and logs queued for another API go there first
            try:
                yield url
            finally:
                _drain_prefect_workers()
    finally:
        _stop(server)


@contextmanager
def prefect_api(port: int = 0, ui: bool = False) -> Iterator[str]:
    """The Prefect API a command's flows report to: PREFECT_API_URL when one is configured, else a server of this
    command's own (local_prefect_server on `port`, with the UI if `ui`) that dies with it — not Prefect's temporary
    server, which outlives a command killed with kill -9 (re-parented, still serving)."""
    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    with local_prefect_server(port=port, ui=ui) as url:
        yield url


def _with_parent_death_signal(args: list[str]) -> list[str]:
    if not sys.platform.startswith("linux"):  # no PR_SET_PDEATHSIG: stopped on exit only
        return [sys.executable, *args]
    return [sys.executable, "-c", _EXEC_WITH_PARENT_DEATH_SIGNAL, str(os.getpid()), *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _check_port_free(port: int) -> None:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise PrefectServerDidNotStart(
                f"port {port} on 127.0.0.1 is in use: choose another port, or, if a Prefect server runs there, "
                f"`export PREFECT_API_URL=http://127.0.0.1:{port}/api` to use it") from None


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise PrefectServerDidNotStart(f"`prefect server start` exited with {server.returncode}; its output, "
                                           f"in {log}, ends:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise PrefectServerDidNotStart(
        f"the Prefect server did not answer at {url} within {timeout_s:.0f} s (raise "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run `prefect server start --host 127.0.0.1` yourself "
        f"and `export PREFECT_API_URL=http://127.0.0.1:4200/api`); its output, in {log}, ends:\n{_tail(log)}")


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and the processes it started (its own process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _drain_prefect_workers() -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all()
    EventsWorker.drain_all()


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
