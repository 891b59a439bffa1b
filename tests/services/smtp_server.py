"""A real SMTP server for the notification tests: aiosmtpd on a free local port.

``SmtpServer.replies`` scripts the server's answers to DATA (``"451 ..."`` to refuse for now,
``"stall"`` to hang before accepting until ``release`` is set); every message the server
accepted is kept in ``received`` with its envelope.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One accepted message: the envelope's sender and recipients, and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: Message

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply == "stall":  # hang before accepting, as a slow server does
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "421 closing"
        if reply.startswith("250"):
            self.received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message_from_bytes(envelope.content),
                )
            )
        return reply


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server accepting every message (unless scripted), stopped after the test."""
    server = SmtpServer(host="127.0.0.1", port=_free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        server.release.set()
        controller.stop()
