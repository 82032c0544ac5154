"""A real Synapse homeserver on 127.0.0.1 for the Matrix tests, started once per test session.

Synapse runs as a subprocess from its own virtualenv (``make synapse`` builds ``.venv-synapse/``
from a pinned version; ``WIREWATCH_TEST_SYNAPSE_PYTHON`` names another interpreter), in a
temporary directory with an SQLite database, on a free loopback port, configured by
``synapse_config.py`` to talk to nothing but the tests. A bot user is registered through the
shared-secret admin API and its message rate limit is switched off, so tests can send as fast
as they like.

    def test_x(synapse: SynapseServer) -> None:
        room = synapse.create_room()              # the server's default room version
        old = synapse.create_room(version="10")   # '!opaque:wirewatch.test'
        ... synapse.base_url, synapse.access_token ...
        events = synapse.messages(room)           # m.room.message events, oldest first
        replies = synapse.relations(room, events[0]["event_id"], "m.thread")
        synapse.send_event(room, {...})           # post as the bot, returns the event id

Not installed: the tests that ask for ``synapse`` skip with the reason, and fail under CI=true.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.paths import ROOT
from tests.support.synapse_config import SERVER_NAME, write_config
from tests.support.waiting import free_port

PYTHON_ENV = "WIREWATCH_TEST_SYNAPSE_PYTHON"
DEFAULT_PYTHON = ROOT / ".venv-synapse" / "bin" / "python"
START_TIMEOUT = 50.0  # under the per-test timeout (pytest.ini_options) that covers fixture setup
STOP_TIMEOUT = 15.0
LOG_TAIL_LINES = 40


class SynapseStartError(Exception):
    """Synapse did not come up; the message ends with its log tail."""


def synapse_python() -> Path | None:
    """The interpreter with Synapse installed, or None when there is none."""
    named = os.environ.get(PYTHON_ENV)
    path = Path(named) if named else DEFAULT_PYTHON
    return path if path.is_file() else None


def log_tail(home: Path) -> str:
    """The last lines Synapse wrote (its log file, then stdout/stderr), for a start-up error."""
    parts = []
    for name in ("homeserver.log", "console.log"):
        path = home / name
        if path.is_file():
            lines = path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            parts.append(f"--- {name} (last {len(lines)} lines)\n" + "\n".join(lines))
    return "\n".join(parts) or "(Synapse wrote no log)"


class SynapseServer:
    """A running Synapse and a registered bot user (admin, no message rate limit)."""

    def __init__(self, base_url: str, http: httpx.Client) -> None:
        self.base_url = base_url
        self.user_id = ""
        self.access_token = ""
        self._http = http

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """A client-server API call as the bot; raises with Synapse's answer on any non-2xx."""
        headers = {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}
        response = self._http.request(method, self.base_url + path, headers=headers, **kwargs)
        if response.status_code >= 300:
            raise AssertionError(f"Synapse {method} {path}: {response.status_code} {response.text}")
        return response.json()

    def register_bot(self, shared_secret: str, username: str = "wirewatch-bot") -> None:
        """Shared-secret registration (``/_synapse/admin/v1/register``), then no rate limit."""
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        password = secrets.token_hex(12)
        mac = hmac.new(shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), username.encode(), password.encode(), b"admin"]))
        body = {"nonce": nonce, "username": username, "password": password, "admin": True}
        answer = self.request("POST", "/_synapse/admin/v1/register", json={**body, "mac": mac.hexdigest()})
        self.user_id, self.access_token = answer["user_id"], answer["access_token"]
        user = quote(self.user_id, safe="")
        self.request(
            "POST",
            f"/_synapse/admin/v1/users/{user}/override_ratelimit",
            json={"messages_per_second": 0, "burst_count": 0},
        )

    def create_room(self, version: str | None = None) -> str:
        """A new private room with the bot in it; ``version=None`` is the server's default."""
        body: dict[str, Any] = {"preset": "private_chat"}
        if version is not None:
            body["room_version"] = version
        return str(self.request("POST", "/_matrix/client/v3/createRoom", json=body)["room_id"])

    def send_event(self, room_id: str, content: dict[str, Any], event_type: str = "m.room.message") -> str:
        """Sends as the bot (e.g. a thread reply to set up a test); returns the event id."""
        room, txn = quote(room_id, safe=""), secrets.token_hex(8)
        return str(
            self.request("PUT", f"/_matrix/client/v3/rooms/{room}/send/{event_type}/{txn}", json=content)[
                "event_id"
            ]
        )

    def room_version(self, room_id: str) -> str:
        content = self.request(
            "GET", f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/state/m.room.create"
        )
        return str(content.get("room_version", "1"))

    def messages(self, room_id: str, event_type: str | None = "m.room.message") -> list[dict[str, Any]]:
        """Every event of ``event_type`` (None: all) in the room, oldest first (``/messages``)."""
        path = f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/messages"
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {"dir": "b", "limit": 100}
        while True:
            page = self.request("GET", path, params=params)
            events.extend(page.get("chunk", []))
            if "end" not in page or not page.get("chunk"):
                break
            params["from"] = page["end"]
        events.reverse()
        return [e for e in events if event_type is None or e.get("type") == event_type]

    def relations(self, room_id: str, event_id: str, rel_type: str | None = None) -> list[dict[str, Any]]:
        """Events that relate to ``event_id`` (e.g. ``m.thread`` replies), oldest first."""
        path = f"/_matrix/client/v1/rooms/{quote(room_id, safe='')}/relations/{quote(event_id, safe='')}"
        if rel_type:
            path += f"/{quote(rel_type, safe='')}"
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {"dir": "f", "limit": 100}
        while True:
            page = self.request("GET", path, params=params)
            events.extend(page.get("chunk", []))
            if "next_batch" not in page:
                return events
            params["from"] = page["next_batch"]


def _wait_until_up(process: subprocess.Popen[bytes], http: httpx.Client, url: str) -> str | None:
    """None once Synapse answers ``/versions``; otherwise why it did not."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"Synapse exited with code {process.returncode} during start-up"
        try:
            if http.get(url + "/_matrix/client/versions", timeout=2.0).status_code == 200:
                return None
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return f"Synapse did not answer on {url} within {START_TIMEOUT:.0f}s"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to Synapse's own process group (a wrapper such as strace goes too), then SIGKILL."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_synapse(python: Path, home: Path) -> Iterator[SynapseServer]:
    """Runs Synapse under ``home`` until the generator is closed; the error carries its log tail."""
    port, shared_secret = free_port(), secrets.token_hex(16)
    config = write_config(home, port, shared_secret)
    url = f"http://127.0.0.1:{port}"
    with (home / "console.log").open("wb") as console, httpx.Client(trust_env=False, timeout=10.0) as http:
        process = subprocess.Popen(
            [str(python), "-m", "synapse.app.homeserver", "--config-path", str(config)],
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches pytest, whose teardown stops Synapse
        )
        try:
            problem = _wait_until_up(process, http, url)
            server = SynapseServer(url, http)
            if problem is None:
                try:
                    server.register_bot(shared_secret)
                except (AssertionError, httpx.HTTPError) as exc:
                    problem = f"registering the bot failed: {exc}"
            if problem:
                raise SynapseStartError(f"{problem} ({python}, home {home})\n{log_tail(home)}")
            yield server
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """One Synapse for the whole session (start-up costs seconds); tests make their own rooms."""
    python = synapse_python()
    if python is None:
        where = os.environ.get(PYTHON_ENV) or DEFAULT_PYTHON
        reason = f"no Synapse interpreter at {where}: run `make synapse` or set {PYTHON_ENV}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("synapse")
    failure = ""
    try:
        yield from start_synapse(python, home)
    except SynapseStartError as exc:
        failure = str(exc)
    if failure:
        pytest.fail(failure, pytrace=False)


__all__ = ["SERVER_NAME", "SynapseServer", "start_synapse", "synapse", "synapse_python"]
