"""Link normalization: two links that name the same story normalize to the same string.

Dedup relies on this to see one story through two feeds or with different tracking
parameters. The promise: scheme and host lowercased, the default port dropped, the fragment and a
trailing slash dropped, tracking parameters removed, the remaining query parameters sorted.
Anything that is not an absolute http(s) URL comes back stripped, unchanged.

``absolute`` and ``is_web_url`` are the link rules of parsing: a relative link is resolved
against its base, and only an absolute http(s) URL is ever offered as a clickable link.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "s_cid",
        "sr_share",
        "spm",
        "at_medium",
        "at_campaign",
        "ito",
        "smid",
        "wt.mc_id",
        "xtor",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize_link(url: str) -> str:
    """The canonical form of ``url`` for story identity (never raises)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    path = parts.path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    query.sort()
    return urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))


def is_web_url(text: str) -> bool:
    """``text`` is an absolute http(s) URL with a host (not ``urn:``, ``tag:``, ``at:``, a path)."""
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.netloc)


def absolute(link: str, base: str | None) -> str:
    """``link`` resolved against ``base`` when it has no scheme of its own (never raises).

    Decided by the link's own scheme, not by ``://`` anywhere in it: ``/go?to=https://x`` is
    relative.
    """
    link = link.strip()
    if not link or not base or link.startswith(("https://", "http://")):
        return link
    try:
        if urlsplit(link).scheme:
            return link
        return urljoin(base, link)
    except ValueError:
        return link
