"""A minimal keep-alive HTTP/1.1 feed server for the poll benchmark (loopback only).

``python -m bench.feed_server FEEDS`` prints its port, then serves ``/feed/<i>.xml``:
~10 KB RSS bodies; 1 in ``CHANGE_EVERY`` feeds changes on every request, 1 in ``NO_VALIDATORS``
sends no ETag (the client must fall back to its body hash), the rest answer 304 to a matching
If-None-Match. A raw asyncio protocol, so the server is not what the benchmark measures.
"""

from __future__ import annotations

import asyncio
import sys

CHANGE_EVERY = 100
NO_VALIDATORS = 10


def feed_body(index: int, version: int) -> bytes:
    items = "".join(
        f"<item><title>Story {index}.{version}.{n} about the city council budget</title>"
        f"<link>https://news.example/{index}/{version}/{n}?utm_source=rss</link>"
        f"<guid>https://news.example/{index}/{version}/{n}</guid>"
        f"<pubDate>Mon, 0{1 + n % 9} Jan 2024 10:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;{'Lorem ipsum dolor sit amet, consectetur. ' * 18}"
        f"&lt;/p&gt;</description></item>"
        for n in range(10)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>https://news.example/{index}</link>{items}"
        f"</channel></rss>"
    ).encode()


def etag(index: int, version: int) -> str | None:
    return None if index % NO_VALIDATORS == 1 else f'"{index}-{version}"'


class FeedProtocol(asyncio.Protocol):
    def __init__(self, bodies: dict[int, bytes], versions: dict[int, int]) -> None:
        self.bodies, self.versions, self.buffer = bodies, versions, b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.transport.write(self.respond(head))

    def respond(self, head: bytes) -> bytes:
        lines = head.split(b"\r\n")
        path = lines[0].split(b" ")[1].decode()
        match = None
        for line in lines[1:]:
            if line[:14].lower() == b"if-none-match:":
                match = line[14:].strip().decode()
        try:
            index = int(path.rsplit("/", 1)[1].split(".")[0])
        except (IndexError, ValueError):
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        if index % CHANGE_EVERY == 0:
            self.versions[index] = self.versions.get(index, 0) + 1
            self.bodies.pop(index, None)
        version = self.versions.get(index, 0)
        tag = etag(index, version)
        if tag is not None and match == tag:
            return f"HTTP/1.1 304 Not Modified\r\nETag: {tag}\r\n\r\n".encode()
        body = self.bodies.get(index)
        if body is None:
            body = self.bodies[index] = feed_body(index, version)
        tag_line = f"ETag: {tag}\r\n" if tag else ""
        head_out = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n{tag_line}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head_out.encode() + body


async def serve() -> None:
    bodies: dict[int, bytes] = {}
    versions: dict[int, int] = {}
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FeedProtocol(bodies, versions), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)
