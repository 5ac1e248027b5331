"""POST a JSON body to a webhook (generic receivers and Slack incoming webhooks)."""

from __future__ import annotations

import httpx

from delivery.errors import TerminalDeliveryError, TransientDeliveryError
from delivery.redact import redact, url_secrets

RETRYABLE_STATUS = {408, 425, 429}
DETAIL_CHARS = 200  # of the receiver's answer kept in the error


def post_json(url: str, payload: dict, timeout_s: float) -> int:
    """The response status of a 2xx; otherwise a transient or terminal error whose message holds no
    part of the URL's path, query or userinfo, whatever the receiver echoed."""
    secrets = url_secrets(url)
    try:
        response = httpx.post(url, json=payload, timeout=timeout_s)
    except httpx.TimeoutException:
        raise TransientDeliveryError(f"no response within {timeout_s:g} s") from None
    except httpx.InvalidURL:
        raise TerminalDeliveryError("the webhook URL is not a valid http(s) URL") from None
    except httpx.UnsupportedProtocol:
        raise TerminalDeliveryError("the webhook URL is not an http(s) URL") from None
    except httpx.HTTPError as exc:  # connection refused or reset, a broken response: worth another try
        raise TransientDeliveryError(f"{type(exc).__name__}: {redact(str(exc), secrets)}") from None
    status = response.status_code
    if 200 <= status < 300:
        return status
    detail = f"HTTP {status}: {redact(response.text, secrets)[:DETAIL_CHARS]}"  # redacted before it is cut
    if status in RETRYABLE_STATUS or status >= 500:
        raise TransientDeliveryError(detail)
    raise TerminalDeliveryError(detail)
