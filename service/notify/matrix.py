"""Matrix: one ``m.notice`` per batch via the client-server API, idempotent across retries.

``PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}``: the txnId is derived
from the batch key, so a retry after a lost answer is deduplicated by the homeserver instead
of posting twice. The answer's ``event_id`` is the send's ``ref``: the thread root later
follow-ups of the batch's stories are sent under. What a message says is ``matrix_render``'s.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal
from urllib.parse import quote

import httpx
from pydantic import ConfigDict, SecretStr, field_validator

from service.logs import get_logger
from service.notify.base import Batch, SendResult
from service.notify.config import ChannelBase
from service.notify.http import (
    check_http_url,
    classify_status,
    parse_retry_after,
    send_request,
    short_token,
)
from service.notify.matrix_render import build_event as build_event
from service.notify.matrix_render import event_id
from service.notify.matrix_render import txn_id as txn_id
from service.settings import Settings

log = get_logger(__name__)

# Appendices, "Room IDs" and "Server Name" (spec v1.16): up to room version 11 a room id is
# ``!opaque:server_name``, the opaque part anything but ':' and NUL; from version 12 it is the
# create event's id with '!' for '$', i.e. the sha256 reference hash in URL-safe unpadded base64.
_SERVER_NAME = r"(?:\[[0-9A-Fa-f:.]{2,45}\]|[0-9A-Za-z.-]{1,255})(?::[0-9]{1,5})?"
_ROOM_ID = re.compile(rf"!(?:[^:\x00]+:{_SERVER_NAME}|[A-Za-z0-9_-]{{43}})")
ROOM_ID_MAX_BYTES = 255
ROOM_ID_HINT = (
    "must be a room id (Room settings > Advanced) like '!abc:example.org' or, in rooms of "
    "version 12 and later, '!' and 43 characters; not a #alias"
)


def is_room_id(value: str) -> bool:
    """True for every room id the spec allows, of any room version; False for aliases and junk."""
    return _ROOM_ID.fullmatch(value) is not None and len(value.encode()) <= ROOM_ID_MAX_BYTES


class MatrixConfig(ChannelBase):
    model_config = ConfigDict(hide_input_in_errors=True)

    type: Literal["matrix"] = "matrix"
    homeserver: str
    room_id: str
    access_token: SecretStr

    @field_validator("homeserver")
    @classmethod
    def _homeserver(cls, value: str) -> str:
        return check_http_url(value).rstrip("/")

    @field_validator("room_id")
    @classmethod
    def _room(cls, value: str) -> str:
        if not is_room_id(value):
            raise ValueError(ROOM_ID_HINT)
        return value


def _json_object(response: httpx.Response) -> dict[str, object]:
    """The answer's JSON object, or {} when it is not one (a proxy's HTML page, garbage)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _matrix_result(response: httpx.Response) -> SendResult:
    """Status table plus the Matrix body: ``errcode`` and ``retry_after_ms`` of an error,
    the ``event_id`` of a sent event as ``ref`` (absent or odd: still sent, ref None)."""
    errcode, retry_after = "", parse_retry_after(response.headers.get("Retry-After"))
    data = _json_object(response)
    if response.status_code >= 300:
        errcode = short_token(str(data.get("errcode", "")))
        ms = data.get("retry_after_ms")
        if retry_after is None and isinstance(ms, int | float) and ms >= 0:
            retry_after = ms / 1000.0
    result = classify_status("matrix", response.status_code, errcode, retry_after)
    return replace(result, ref=event_id(data.get("event_id"))) if result.ok else result


class MatrixNotifier:
    """Sends to one room with a bearer token that never appears in reasons or logs."""

    label = "matrix"

    def __init__(self, name: str, config: MatrixConfig, http: httpx.AsyncClient, settings: Settings) -> None:
        self.name = name
        self._config = config
        self._http = http
        self._timeout = config.timeout(settings.send_timeout)

    def url_for(self, batch: Batch) -> str:
        room = quote(self._config.room_id, safe="")
        return f"{self._config.homeserver}/_matrix/client/v3/rooms/{room}/send/m.room.message/{txn_id(batch)}"

    async def send(self, batch: Batch) -> SendResult:
        token = self._config.access_token.get_secret_value()
        result = await send_request(
            self.label,
            self._http,
            "PUT",
            self.url_for(batch),
            timeout=self._timeout,
            judge=_matrix_result,
            headers={"Authorization": f"Bearer {token}"},
            json=build_event(batch),
        )
        if not result.ok:
            log.debug("send_failed", channel=self.name, alert_key=batch.key, error=result.reason)
        return result

    async def aclose(self) -> None:
        return None
