"""A real SMTP server (aiosmtpd) on 127.0.0.1 in its own thread, recording parsed messages.

``refuse_next(n, code)`` makes the next ``n`` messages fail at DATA with ``code`` (451:
try later, 550: rejected), so tests cover both retryable and permanent refusals.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


class _PortZeroController(Controller):
    """Controller that binds port 0 and learns the real port before its readiness probe."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server), "called once the server is listening"
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpReceiver:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.attempts = 0
        self._refusals: list[int] = []
        self._lock = threading.Lock()
        self._controller = _PortZeroController(self, hostname="127.0.0.1", port=0)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def refuse_next(self, n: int = 1, code: int = 451) -> None:
        with self._lock:
            self._refusals.extend([code] * n)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.attempts += 1
            code = self._refusals.pop(0) if self._refusals else None
        if code is not None:
            text = "try again later" if code < 500 else "message rejected"
            return f"{code} {'4' if code < 500 else '5'}.7.1 {text}"
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()
