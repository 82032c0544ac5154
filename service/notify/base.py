"""The Notifier contract: send one message for a batch of alerts, say if a failure is worth retrying.

A batch is one alert (``single``), several alerts that arrived in a burst (``group``: one
message listing them), or a scheduled ``digest``. ``key`` is the batch's idempotency id: the
alert key for a single alert, a hash of the sorted keys otherwise; it is the same on every
retry, so Matrix txn ids, webhook ids and email Message-IDs make a repeated send harmless.

Stories: an alert of ``kind: also_reported`` is a follow-up of the story ``alert.story``.
``roots`` maps such a story to the message that carried its first alert on this channel (the
ref a notifier returned in ``SendResult.ref``: a Matrix event id, an email Message-ID), so
the follow-up can be threaded under it; a story missing from ``roots`` has no known message
(sent before refs were kept, or on a channel that returns none).

A Notifier never raises for a delivery problem: it returns a SendResult. ``ok`` means the
channel accepted the message (only then is it recorded as sent). ``retryable`` failures are
retried with backoff (``retry_after`` seconds when the peer said so); the rest go to the
dead letters with ``reason``. Reasons and logs never contain secrets (URLs with tokens,
passwords).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

from service.model import Alert

BatchKind = Literal["single", "group", "digest"]


@dataclass(frozen=True, slots=True)
class Batch:
    """One message: its alerts, its kind and its idempotency key (the same on every attempt)."""

    alerts: tuple[Alert, ...]
    kind: BatchKind
    key: str
    roots: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, alerts: Sequence[Alert], kind: BatchKind | None = None) -> Batch:
        """A new message: ``single`` keyed by its alert, else keyed by a hash of its members."""
        if not alerts:
            raise ValueError("a batch needs at least one alert")
        chosen: BatchKind = kind or ("single" if len(alerts) == 1 else "group")
        if chosen == "single" and len(alerts) == 1:
            key = alerts[0].key
        else:
            digest = hashlib.sha256("\n".join(sorted(a.key for a in alerts)).encode()).hexdigest()
            key = f"{chosen}-{digest[:32]}"
        return cls(tuple(alerts), chosen, key)


class SendFailure(StrEnum):
    """Why a send failed, decided by the notifier where it sees the answer (or its absence)."""

    TIMEOUT = "timeout"  # no answer within the send timeout: the receiver may have the message
    NETWORK = "network"  # no answer: refused, reset, DNS, TLS
    RATE_LIMITED = "rate_limited"  # 429 / M_LIMIT_EXCEEDED: the whole channel must wait
    UNAVAILABLE = "unavailable"  # 5xx, 408, SMTP 4xx: try again later
    REJECTED = "rejected"  # refused for good: 4xx, SMTP 5xx, a config the server cannot serve
    INTERNAL = "internal"  # a bug of ours inside a notifier


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    retryable: bool = False
    retry_after: float | None = None
    reason: str = ""
    failure: SendFailure | None = None
    ref: str | None = None  # the receiver's id for the message sent (Matrix event id, Message-ID)

    @classmethod
    def sent(cls, ref: str | None = None) -> SendResult:
        return cls(ok=True, ref=ref)

    @classmethod
    def retry(
        cls, reason: str, retry_after: float | None = None, failure: SendFailure = SendFailure.UNAVAILABLE
    ) -> SendResult:
        return cls(ok=False, retryable=True, retry_after=retry_after, reason=reason, failure=failure)

    @classmethod
    def fail(cls, reason: str, failure: SendFailure = SendFailure.REJECTED) -> SendResult:
        return cls(ok=False, retryable=False, reason=reason, failure=failure)


class Notifier(Protocol):
    """One configured channel."""

    name: str

    async def send(self, batch: Batch) -> SendResult: ...

    async def aclose(self) -> None: ...
