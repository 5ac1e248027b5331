"""Delivery against real local receivers: an HTTP server in a thread and an aiosmtpd SMTP server."""

import json
import socket
import threading
from datetime import date
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from delivery.channels import EmailChannel, RetryPolicy, WebhookChannel, deliver
from pipeline.records import Alert, EvidenceArticle, EvidenceSentence, Notice, RuleHit, Transition
from tremor.settings import DeliverySettings, delivery_channels

DAY = date(2025, 7, 24)
NO_WAIT = RetryPolicy(attempts=3, wait_s=0, max_wait_s=0)
TOKEN = "T000/B000/s3cr3t-token"


def a_notice() -> Notice:
    hit = RuleHit(DAY, "share_negative", "forced_labour", "KR", "m", "critical", 0.85, 0.6, None, 20, ("a1", "a2"),
                  critical=0.8, n_negative=17, n_outlets=3)
    alert = Alert("abc123", "share_negative", "forced_labour", "KR", "m", DAY, DAY, None, "open", "critical", 0.85,
                  0.6, None, 1, ("a1", "a2"), critical=0.8, n_articles=20, n_negative=17, n_outlets=3, peak_day=DAY)
    evidence = (EvidenceArticle("a1", DAY, "Hanbit Ilbo", "KR", "ko", "강제징용 배상 판결 무시", "https://hanbit.example/1",
                                "negative", -0.91, (EvidenceSentence(2, "정부의 태도는 용납할 수 없다.", "negative", -0.95),)),)
    return Notice(Transition("abc123", DAY, "opened", "critical", None, hit), alert, evidence)


class LocalServer:
    """A server on 127.0.0.1 in a thread while the `with` block runs (HTTP: `serve`, whose `url` names `path`)."""

    def serve(self, handler, path: str) -> None:
        self.run(ThreadingHTTPServer(("127.0.0.1", 0), handler))
        self.url = f"http://127.0.0.1:{self.server.server_port}{path}"

    def run(self, server) -> None:
        self.server = server
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Receiver(LocalServer):
    """A webhook receiver on 127.0.0.1 that answers with the scripted statuses, then 200."""

    def __init__(self, statuses):
        self.statuses, self.bodies, self.paths = list(statuses), [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.bodies.append(json.loads(body))
                receiver.paths.append(self.path)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"nope")

            def log_message(self, *args):
                pass

        self.serve(Handler, f"/hooks/{TOKEN}")


def test_webhook_receives_the_generic_json_after_a_transient_failure_is_retried():
    with Receiver([503]) as receiver:
        attempts = deliver(WebhookChannel("ops", SecretStr(receiver.url), "X"), a_notice(), NO_WAIT)
    assert [(a.attempt, a.status) for a in attempts] == [(1, "failed"), (2, "sent")]
    assert "HTTP 503" in attempts[0].error and all(a.channel == "webhook:ops" for a in attempts)
    body = receiver.bodies[-1]
    assert (body["event"], body["severity"], body["alert"]["id"], body["alert"]["source_country"]) == \
           ("opened", "critical", "abc123", "KR")
    assert body["explanation"]["observed"] == 0.85 and body["explanation"]["threshold"] == 0.6
    assert "85% ≥ 60%" in body["explanation"]["text"] and body["explanation"]["n_negative"] == 17
    [article] = body["evidence"]
    assert article["source"] == "Hanbit Ilbo" and article["sentences"][0]["text"] == "정부의 태도는 용납할 수 없다."


def test_slack_webhook_gets_blocks_and_a_rejected_request_is_not_retried():
    with Receiver([400]) as receiver:
        attempts = deliver(WebhookChannel("slack", SecretStr(receiver.url), "X", format="slack"), a_notice(),
                           NO_WAIT)
    assert [(a.attempt, a.status) for a in attempts] == [(1, "failed")] and len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["text"].startswith("[CRITICAL] KR coverage of forced_labour turned hostile on 2025-07-24")
    assert [b["type"] for b in body["blocks"]] == ["section", "section", "section", "context"]
    assert "Hanbit Ilbo" in body["blocks"][2]["text"]["text"]


def test_unreachable_webhook_is_retried_up_to_the_policy_and_the_token_never_logged():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    url = f"http://127.0.0.1:{port}/hooks/{TOKEN}"
    attempts = deliver(WebhookChannel("ops", SecretStr(url), "X", timeout_s=2), a_notice(), NO_WAIT)
    assert [a.status for a in attempts] == ["failed"] * 3
    assert all(TOKEN not in a.error for a in attempts) and "ConnectError" in attempts[0].error
    missing = deliver(WebhookChannel("ops", None, "TREMOR_OPS_WEBHOOK"), a_notice(), NO_WAIT)
    assert len(missing) == 1 and "TREMOR_OPS_WEBHOOK is not set" in missing[0].error


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self, refuse_first: int = 0):
        self.messages, self.refuse = [], refuse_first

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "421 4.3.2 try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 OK"


@pytest.fixture
def smtp_server():
    servers = []

    def start(mailbox, **kw):
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **kw)
        controller.start()
        servers.append(controller)
        return controller

    yield start
    for controller in servers:
        controller.stop()


def test_email_arrives_after_a_temporary_smtp_refusal(smtp_server):
    mailbox = Mailbox(refuse_first=1)
    server = smtp_server(mailbox)
    channel = EmailChannel("127.0.0.1", server.port, "tremor@example.org", ("desk@example.org",), security="none")
    attempts = deliver(channel, a_notice(), NO_WAIT)
    assert [(a.status, a.channel) for a in attempts] == [("failed", "email"), ("sent", "email")]
    assert "SMTP 421" in attempts[0].error
    [message] = mailbox.messages
    assert message["Subject"].startswith("[Tremor] [CRITICAL] KR coverage of forced_labour")
    assert message["To"] == "desk@example.org"
    body = message.get_content()
    assert "share of negative articles 85% ≥ 60%" in body and "“정부의 태도는 용납할 수 없다.”" in body


def test_email_logs_in_with_the_password_from_the_environment_only(smtp_server):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"tremor", b"pw-env")
        return AuthResult(success=ok, handled=False)  # handled=False: the server sends the 535

    mailbox = Mailbox()
    server = smtp_server(mailbox, auth_require_tls=False, authenticator=authenticator)
    cfg = DeliverySettings.model_validate({"email": {
        "enabled": True, "host": "127.0.0.1", "port": server.port, "security": "none", "username": "tremor",
        "password_env": "TREMOR_TEST_SMTP_PASSWORD", "sender": "tremor@example.org", "recipients": ["a@example.org"]}})
    [good] = delivery_channels(cfg, {"TREMOR_TEST_SMTP_PASSWORD": "pw-env"})
    assert "pw-env" not in repr(good), "the secret is masked in reprs and logs"
    assert [a.status for a in deliver(good, a_notice(), NO_WAIT)] == ["sent"] and len(mailbox.messages) == 1
    [bad] = delivery_channels(cfg, {"TREMOR_TEST_SMTP_PASSWORD": "wrong"})
    refused = deliver(bad, a_notice(), NO_WAIT)
    assert [a.status for a in refused] == ["failed"] and "login refused" in refused[0].error
    [no_secret] = delivery_channels(cfg, {})
    assert "set TREMOR_TEST_SMTP_PASSWORD" in deliver(no_secret, a_notice(), NO_WAIT)[0].error


SECRET_PARTS = ("s3cr3t-token", "T000", "B000", "q-s3cr3t")


class EchoReceiver(LocalServer):
    """A hostile webhook receiver on 127.0.0.1: every POST gets `status` and a body that echoes the
    request path and query (raw, percent-decoded and upper-cased), with the token across the 200th
    character so that a cut message would keep a piece of it."""

    def __init__(self, status: int):
        from urllib.parse import unquote

        self.posts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts += 1
                body = ("x" * 160 + f" Cannot POST {self.path} ({unquote(self.path)}; {self.path.upper()})").encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.serve(Handler, f"/hooks/{TOKEN}?key=q-s3cr3t&v=1")


@pytest.mark.parametrize("status", [404, 500])
def test_a_receiver_that_echoes_the_path_gets_no_part_of_the_token_into_the_errors(status):
    with EchoReceiver(status) as receiver:
        attempts = deliver(WebhookChannel("ops", SecretStr(receiver.url), "X"), a_notice(), NO_WAIT)
    assert [a.status for a in attempts] == ["failed"] * (1 if status == 404 else 3)
    for attempt in attempts:
        assert attempt.error.startswith(f"HTTP {status}: xxx") and "<redacted>" in attempt.error
        assert not any(part.lower() in attempt.error.lower() for part in SECRET_PARTS), attempt.error


class EchoSmtp(LocalServer):
    """A hostile SMTP server on 127.0.0.1: it accepts AUTH PLAIN, then refuses the sender with a reply
    that echoes the AUTH line and the decoded password."""

    def __init__(self):
        import base64
        import socketserver

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                auth = ""
                self.wfile.write(b"220 echo ESMTP\r\n")
                for raw in self.rfile:
                    line = raw.decode().strip()
                    verb = line.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-echo\r\n250 AUTH PLAIN\r\n")
                    elif verb == "AUTH":
                        auth = line
                        self.wfile.write(b"235 ok\r\n")
                    elif verb == "MAIL":
                        password = base64.b64decode(auth.split()[-1]).split(b"\0")[-1].decode()
                        self.wfile.write(f"554 5.7.1 refused: you sent {auth} (password {password})\r\n".encode())
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.run(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler))
        self.port = self.server.server_address[1]


def test_an_smtp_server_that_echoes_the_auth_line_gets_no_form_of_the_password_into_the_errors():
    import base64

    password = "pw-S3cret-env"
    with EchoSmtp() as server:
        channel = EmailChannel("127.0.0.1", server.port, "tremor@example.org", ("desk@example.org",),
                               security="none", username="tremor", password=SecretStr(password))
        [attempt] = deliver(channel, a_notice(), NO_WAIT)
    assert attempt.status == "failed" and attempt.error.startswith("SMTP 554: 5.7.1 refused: you sent AUTH PLAIN")
    forms = (password, base64.b64encode(f"\0tremor\0{password}".encode()).decode())
    assert not any(form in attempt.error for form in forms), attempt.error
