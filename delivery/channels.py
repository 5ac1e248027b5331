"""Delivery channels and the retrying send that logs every attempt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from delivery import smtp, webhook
from delivery.errors import DeliveryError, TerminalDeliveryError, TransientDeliveryError
from delivery.redact import password_secrets, redact, url_secrets
from pipeline.notify import email_message, json_payload, slack_payload
from pipeline.records import DeliveryAttempt, Notice, utc_now

FORMATS = ("json", "slack")
MAX_ROUNDS = 3  # delivery rounds (runs, reruns, replayed days) a notice may fail on a channel before it is given up


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in one round, the first included
    wait_s: float = 2.0  # first wait; doubles after each failure
    max_wait_s: float = 60.0
    rounds: int = MAX_ROUNDS  # failed rounds after which the notice is given up on that channel


@dataclass(frozen=True)
class WebhookChannel:
    """A webhook whose URL (it carries the token) comes from an environment variable."""

    name: str
    url: SecretStr | None
    url_env: str
    format: str = "json"  # json (generic) or slack
    timeout_s: float = 10.0

    @property
    def channel(self) -> str:
        return f"webhook:{self.name}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return url_secrets(self.url.get_secret_value()) if self.url else ()

    def send(self, notice: Notice) -> None:
        if self.url is None or not self.url.get_secret_value():
            raise TerminalDeliveryError(f"webhook {self.name}: environment variable {self.url_env} is not set; "
                                        "export the webhook URL there")
        payload = slack_payload(notice) if self.format == "slack" else json_payload(notice)
        webhook.post_json(self.url.get_secret_value(), payload, self.timeout_s)


@dataclass(frozen=True)
class EmailChannel:
    """An SMTP server and recipients; the password comes from an environment variable."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    security: str = "starttls"  # starttls, ssl or none
    username: str | None = None
    password: SecretStr | None = None
    password_env: str = "TREMOR_SMTP_PASSWORD"
    timeout_s: float = 20.0

    channel = "email"

    @property
    def secrets(self) -> tuple[str, ...]:
        return password_secrets(self.username, self.password.get_secret_value() if self.password else None)

    def send(self, notice: Notice) -> None:
        if self.username and self.password is None:
            raise TerminalDeliveryError(f"email: user {self.username} has no password; set {self.password_env}")
        smtp.send_message(email_message(notice, self.sender, list(self.recipients)), self.host, self.port,
                          self.security, self.username,
                          self.password.get_secret_value() if self.password else None, self.timeout_s)


Channel = WebhookChannel | EmailChannel


def deliver(channel: Channel, notice: Notice, policy: RetryPolicy, failed_rounds: int = 0,
            clock: Callable[[], datetime] = utc_now) -> list[DeliveryAttempt]:
    """One delivery round: send with retries on transient failures; every attempt, sent or failed,
    comes back for the log, its error redacted of the channel's secrets.

    A notice that still fails after the last attempt is not raised: its failed attempts are the outcome.
    When this was its `policy.rounds`-th failed round (`failed_rounds` before it), a final `skipped`
    attempt gives the notice up on this channel, so that reruns and replayed days stop sending it.
    """
    attempts: list[DeliveryAttempt] = []
    secrets = channel.secrets

    def record(number: int, status: str, error: str | None) -> None:
        t = notice.transition
        attempts.append(DeliveryAttempt(t.alert_id, t.event, t.day, channel.channel, number, status,
                                        None if error is None else redact(error, secrets), clock()))

    retrying = Retrying(stop=stop_after_attempt(policy.attempts),
                        wait=wait_exponential(multiplier=policy.wait_s, max=policy.max_wait_s),
                        retry=retry_if_exception_type(TransientDeliveryError), reraise=True)
    try:
        for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                try:
                    channel.send(notice)
                except DeliveryError as exc:
                    record(number, "failed", str(exc))
                    raise
                record(number, "sent", None)
    except DeliveryError:
        pass  # the failed attempts above are the outcome
    if attempts[-1].status == "failed" and failed_rounds + 1 >= policy.rounds:
        record(len(attempts) + 1, "skipped", f"given up after {failed_rounds + 1} failed delivery round(s); "
                                             f"last error: {attempts[-1].error}")
    return attempts
