"""MatrixNotifier against a real Synapse on 127.0.0.1 (``tests/support/synapse.py``).

Each test sends into fresh rooms of the server's default version (12 for the pinned Synapse:
ids without a server part, issue 14) and of version 10 (``!opaque:server``), then reads the
room back through the client-server API: what is there is what a Matrix client would show.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from service.notify.base import Batch
from service.notify.matrix import MatrixConfig, MatrixNotifier, build_event, txn_id
from tests.support import make_alert, quick_settings
from tests.support.synapse import SERVER_NAME, SynapseServer

pytestmark = pytest.mark.synapse

SETTINGS = quick_settings(send_timeout=10.0)
DEFAULT_VERSION = "12"  # Synapse's default_room_version at the version pinned in the Makefile
ROOM_VERSIONS = [pytest.param(None, id="default-version"), pytest.param("10", id="version-10")]

BATCHES: dict[str, Callable[[], Batch]] = {
    "single": lambda: Batch.of(
        [make_alert(title="@room Clashes near <b>Homs</b>", link="https://news.example.org/a?b=1&c=2")]
    ),
    "group": lambda: Batch.of(
        [
            make_alert(watchlist="syria", title="Shelling in Idlib"),
            make_alert(watchlist="syria", title="Aid convoy reaches Aleppo"),
            make_alert(watchlist="yemen", title="Port of Hodeidah <reopens>"),
        ]
    ),
}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as c:
        yield c


@pytest.fixture(params=ROOM_VERSIONS)
def room(synapse: SynapseServer, request: pytest.FixtureRequest) -> str:
    return synapse.create_room(version=request.param)


def notifier(
    synapse: SynapseServer, room: str, client: httpx.AsyncClient, token: str | None = None
) -> MatrixNotifier:
    config = MatrixConfig.model_validate(
        {"homeserver": synapse.base_url, "room_id": room, "access_token": token or synapse.access_token}
    )
    return MatrixNotifier("matrix-live", config, client, SETTINGS)


@pytest.mark.parametrize(
    ("version", "expected_version", "has_server_part"),
    [(None, DEFAULT_VERSION, False), ("10", "10", True)],
)
def test_room_id_forms(
    synapse: SynapseServer, version: str | None, expected_version: str, has_server_part: bool
) -> None:
    room = synapse.create_room(version=version)
    assert synapse.room_version(room) == expected_version
    assert room.endswith(f":{SERVER_NAME}") is has_server_part
    assert (
        MatrixConfig.model_validate(
            {"homeserver": synapse.base_url, "room_id": room, "access_token": "t"}
        ).room_id
        == room
    )


@pytest.mark.parametrize("kind", list(BATCHES))
async def test_batch_arrives_once_as_sent(
    synapse: SynapseServer, room: str, client: httpx.AsyncClient, kind: str
) -> None:
    batch = BATCHES[kind]()
    sender = notifier(synapse, room, client)
    results = [await sender.send(batch) for _ in range(2)]  # a retry after a lost answer
    assert [r.reason for r in results] == ["", ""] and all(r.ok for r in results)

    (event,) = synapse.messages(room)  # the same txnId twice: one event
    content = event["content"]
    assert content == build_event(batch)
    assert content["msgtype"] == "m.notice" and content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {}
    for alert in batch.alerts:
        assert alert.item.title in content["body"]
        assert html.escape(alert.item.title, quote=False) in content["formatted_body"]
    assert "<b>Homs" not in content["formatted_body"]
    assert event["sender"] == synapse.user_id
    assert event["unsigned"]["transaction_id"] == txn_id(batch)

    other = Batch.of([make_alert(title="A different story")])
    assert (await sender.send(other)).ok
    assert [e["content"]["body"] for e in synapse.messages(room)][-1] == build_event(other)["body"]
    assert len(synapse.messages(room)) == 2


async def test_refusals_from_a_real_server(synapse: SynapseServer, client: httpx.AsyncClient) -> None:
    room = synapse.create_room()
    bad_token = "syt_not-a-real-token-4f2a"
    result = await notifier(synapse, room, client, token=bad_token).send(BATCHES["single"]())
    assert (result.ok, result.retryable, result.reason) == (False, False, "matrix: 401 M_UNKNOWN_TOKEN")
    for missing in ("!" + "A" * 43, f"!nosuchroom:{SERVER_NAME}"):
        result = await notifier(synapse, missing, client).send(BATCHES["single"]())
        assert (result.ok, result.retryable, result.reason) == (False, False, "matrix: 403 M_FORBIDDEN")
    assert synapse.messages(room) == []


async def test_thread_relations_read_back(
    synapse: SynapseServer, room: str, client: httpx.AsyncClient
) -> None:
    """The fixture shows relations, for threaded follow-ups: a reply to a notifier's message."""
    assert (await notifier(synapse, room, client).send(BATCHES["single"]())).ok
    (root,) = synapse.messages(room)
    relates = {"rel_type": "m.thread", "event_id": root["event_id"]}
    reply_id = synapse.send_event(room, {"msgtype": "m.notice", "body": "update", "m.relates_to": relates})
    (reply,) = synapse.relations(room, root["event_id"], "m.thread")
    assert reply["event_id"] == reply_id and reply["content"]["m.relates_to"] == relates
    assert [e["event_id"] for e in synapse.messages(room)] == [root["event_id"], reply_id]
    assert synapse.relations(room, root["event_id"], "m.annotation") == []
