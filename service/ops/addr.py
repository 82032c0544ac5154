"""``WIREWATCH_HTTP_ADDR`` parsing, standard library only (the container probe imports it)."""

from __future__ import annotations


def parse_addr(addr: str) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or ``:port`` (all interfaces); ValueError says what is wrong."""
    text = addr.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or int(port_text) > 65535:
        raise ValueError(f"WIREWATCH_HTTP_ADDR must look like 127.0.0.1:9108, got {addr!r}")
    host = host.strip("[]") or "0.0.0.0"
    return host, int(port_text)
