"""Delivery failures translated once, into what the caller can act on: retry, or stop and fix."""

from __future__ import annotations


class DeliveryError(RuntimeError):
    """Base class of delivery errors; messages never carry a secret."""


class TransientDeliveryError(DeliveryError):
    """Worth retrying: a timeout, a refused connection, HTTP 429/5xx, an SMTP 4xx reply."""


class TerminalDeliveryError(DeliveryError):
    """Retrying will not help: a missing secret, HTTP 4xx, an SMTP 5xx reply or refused login."""
