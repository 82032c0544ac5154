"""The HEALTHCHECK probe goes straight to the service, whatever proxy the environment names.

Docker puts the client's ``http_proxy`` into containers; urllib would route the loopback probe
through it. Here the "proxy" is a loopback server that records what reaches it.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.ops import probe


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET with the server's ``status`` and remembers the request line."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.seen.append(self.requestline)  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


def serve(status: int) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.status = status  # type: ignore[attr-defined]
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def servers() -> Iterator[tuple[ThreadingHTTPServer, ThreadingHTTPServer]]:
    """(service answering 200, proxy answering 502), both on loopback."""
    started = [serve(200), serve(502)]
    yield started[0][0], started[1][0]
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_probe_ignores_proxy_variables(
    servers: tuple[ThreadingHTTPServer, ThreadingHTTPServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, proxy = servers
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy_url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WIREWATCH_HTTP_ADDR", f"0.0.0.0:{service.server_address[1]}")
    url = probe.probe_url(f"127.0.0.1:{service.server_address[1]}")

    # The trap is real: plain urllib sends this loopback request to the proxy.
    with pytest.raises(urllib.error.HTTPError, match="502"):
        urllib.request.urlopen(url, timeout=5)
    assert proxy.seen == [f"GET {url} HTTP/1.1"]  # type: ignore[attr-defined]

    assert probe.main(["/healthz"]) == 0
    assert service.seen == ["GET /healthz HTTP/1.1"]  # type: ignore[attr-defined]
    assert len(proxy.seen) == 1, "the probe went through the proxy"  # type: ignore[attr-defined]
