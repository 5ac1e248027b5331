"""Send an email over SMTP (STARTTLS, implicit TLS or plain), with errors sorted into transient and terminal."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from delivery.errors import DeliveryError, TerminalDeliveryError, TransientDeliveryError
from delivery.redact import password_secrets, redact

SECURITY = ("starttls", "ssl", "none")


def send_message(message: EmailMessage, host: str, port: int, security: str, username: str | None,
                 password: str | None, timeout_s: float) -> None:
    """Send, or raise a transient or terminal error whose message holds no form of the password (a
    server may echo the AUTH line in its reply)."""
    try:
        _classified(message, host, port, security, username, password, timeout_s)
    except DeliveryError as exc:
        raise type(exc)(redact(str(exc), password_secrets(username, password))) from None


def _classified(message: EmailMessage, host: str, port: int, security: str, username: str | None,
                password: str | None, timeout_s: float) -> None:
    try:
        _send(message, host, port, security, username, password, timeout_s)
    except smtplib.SMTPAuthenticationError as exc:
        raise TerminalDeliveryError(f"SMTP login refused ({exc.smtp_code}); check the user and password") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        error = TransientDeliveryError if all(400 <= c < 500 for c in codes) else TerminalDeliveryError
        raise error(f"SMTP refused recipients {sorted(exc.recipients)}: codes {sorted(codes)}") from None
    except smtplib.SMTPResponseException as exc:
        error = TransientDeliveryError if 400 <= exc.smtp_code < 500 else TerminalDeliveryError
        raise error(f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise TerminalDeliveryError(f"SMTP server does not support it: {exc}") from None
    except (smtplib.SMTPException, OSError) as exc:  # disconnects, refused connections, timeouts, TLS hiccups
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from None


def _send(message: EmailMessage, host: str, port: int, security: str, username: str | None,
          password: str | None, timeout_s: float) -> None:
    if security == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout_s, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout_s)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if username:
            client.login(username, password or "")
        client.send_message(message)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
