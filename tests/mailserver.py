"""A real SMTP server for tests and benchmarks (aiosmtpd), on a free local port.

It can accept, refuse (answer 451 to every message, as a server in trouble does; or 550 to
every recipient, as for an address that does not exist), be stopped
and started again on the same port (refused connections), and hold a message at its end of
data until released (to kill a sender in the middle of a send). It keeps what it accepted.
"""

import email
import email.message
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller

from tests.network import closed_port


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> email.message.Message:
        return email.message_from_bytes(self.data)


class _Handler:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_RCPT(self, smtp_server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.server.refuse_recipients:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp_server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        server = self.server
        if server.refusing:
            return "451 4.3.0 Try again later"
        if server.hold.is_set():
            server.held_peer = session.peer
            server.holding.set()
            # Waits in aiosmtpd's thread; the test releases it (or kills the sender).
            await _wait(server.release)
            server.holding.clear()
            if server.drop_held:
                return "451 4.3.0 Try again later"
        with server.lock:
            server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK: queued"


async def _wait(event: threading.Event) -> None:
    import asyncio

    while not event.is_set():
        await asyncio.sleep(0.01)


class MailServer:
    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or closed_port()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.refusing = False
        self.refuse_recipients = False
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.drop_held = False
        self.held_peer: tuple[str, int] | None = None  # the sender's address of the held mail
        self._controller: Controller | None = None

    def start(self) -> "MailServer":
        self._controller = Controller(
            _Handler(self), hostname=self.host, port=self.port, ready_timeout=5
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.release.set()
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> "MailServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.messages() if address in r.recipients]

    def configure(self, settings) -> None:
        """Point Django's SMTP backend at this server."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = self.host, self.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"
