"""Link normalization: two links that name the same story normalize to the same string.

Dedup relies on this to see one story through two feeds or with different tracking
parameters. The promise: scheme and host lowercased, the default port dropped, the fragment and a
trailing slash dropped, tracking parameters removed, the remaining query parameters sorted.
Anything that is not an absolute http(s) URL comes back stripped, unchanged.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
