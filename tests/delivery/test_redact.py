"""Redaction of secrets from error messages: each part of a webhook URL, an SMTP password."""

import base64
from urllib.parse import quote

from delivery.redact import HIDDEN, password_secrets, redact, url_secrets

URL = "https://user:p4ssw0rd@hooks.example.invalid/services/T0AB12/B0CD34/xoxTokenValue9?sig=abc123def&v=1#frag-secret"
PARTS = ["p4ssw0rd", "T0AB12", "B0CD34", "xoxTokenValue9", "abc123def", "frag-secret"]


def test_every_part_of_the_url_that_may_carry_a_token_is_hidden_however_it_is_echoed():
    secrets = url_secrets(URL)
    echoes = ["Cannot POST /services/T0AB12/B0CD34/xoxTokenValue9", "bad sig abc123def", "user p4ssw0rd refused",
              quote("/services/T0AB12/B0CD34/xoxTokenValue9?sig=abc123def", safe=""),
              "CANNOT POST /SERVICES/T0AB12/B0CD34/XOXTOKENVALUE9", "token xoxTokenValue9 revoked", "#frag-secret", URL]
    for echo in echoes:
        cleaned = redact(echo, secrets)
        assert HIDDEN in cleaned
        assert not any(part.lower() in cleaned.lower() for part in PARTS), cleaned


def test_text_without_a_secret_and_the_host_are_left_alone():
    secrets = url_secrets(URL)
    assert redact("HTTP 503: service unavailable at hooks.example.invalid", secrets) == \
        "HTTP 503: service unavailable at hooks.example.invalid"
    assert redact("", secrets) == ""


def test_an_smtp_password_is_hidden_plain_and_as_auth_login_or_plain_send_it():
    secrets = password_secrets("tremor", "pw-Secret")
    plain = base64.b64encode(b"\0tremor\0pw-Secret").decode()
    login = base64.b64encode(b"pw-Secret").decode()
    text = f"554 you sent AUTH PLAIN {plain} then {login}; password pw-Secret"
    cleaned = redact(text, secrets)
    assert "pw-Secret" not in cleaned and plain not in cleaned and login not in cleaned
    assert cleaned.startswith("554 you sent AUTH PLAIN ")
    assert password_secrets("tremor", None) == ()
