"""POST a JSON body to a webhook (generic receivers and Slack incoming webhooks)."""

from __future__ import annotations

import httpx

from delivery.errors import TerminalDeliveryError, TransientDeliveryError

RETRYABLE_STATUS = {408, 425, 429}


def post_json(url: str, payload: dict, timeout_s: float) -> int:
    """The response status of a 2xx; otherwise a transient or terminal error (the URL never in the message)."""
    try:
        response = httpx.post(url, json=payload, timeout=timeout_s)
    except httpx.TimeoutException:
        raise TransientDeliveryError(f"no response within {timeout_s:g} s") from None
    except httpx.TransportError as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {_redacted(str(exc), url)}") from None
    except httpx.InvalidURL:
        raise TerminalDeliveryError("the webhook URL is not a valid http(s) URL") from None
    status = response.status_code
    if 200 <= status < 300:
        return status
    detail = f"HTTP {status}: {_redacted(response.text[:200], url)}"
    if status in RETRYABLE_STATUS or status >= 500:
        raise TransientDeliveryError(detail)
    raise TerminalDeliveryError(detail)


def _redacted(text: str, url: str) -> str:
    return text.replace(url, "<webhook URL>")
