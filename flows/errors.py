"""Errors of the flows' Prefect set-up that the CLI reports in one line (importing this imports no Prefect)."""


class PrefectServerDidNotStart(RuntimeError):
    """`prefect server start` exited, could not take its port, or did not answer in time."""


class SchedulerNotRunning(RuntimeError):
    """The Prefect server creates no scheduled runs: served deployments would never run."""
