"""``python -m service.ops.probe``: the container HEALTHCHECK, exit 0 when /healthz answers 200.

Reads ``WIREWATCH_HTTP_ADDR`` like the service does, so the probe follows the configured port;
a wildcard host (``0.0.0.0``, ``::``, empty) is probed on loopback. Standard library only, so
the check stays cheap (no settings, no event loop).

Proxy variables are ignored: Docker copies the client's ``http_proxy`` into containers, and urllib
would send even a loopback request through it, calling a healthy service unhealthy.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

from service.ops.addr import parse_addr

# Never a proxy: an empty ProxyHandler replaces the one that reads *_proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def probe_url(addr: str, path: str = "/healthz") -> str:
    host, port = parse_addr(addr)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else "/healthz"
    addr = os.environ.get("WIREWATCH_HTTP_ADDR", "").strip()
    if not addr:
        print("probe: WIREWATCH_HTTP_ADDR is not set, nothing to check", file=sys.stderr)
        return 1
    try:
        url = probe_url(addr, path)
        with _DIRECT.open(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except (ValueError, OSError) as exc:
        print(f"probe: {path} failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
