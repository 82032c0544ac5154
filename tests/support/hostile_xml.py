"""Hostile feed XML for the parser, poll and end-to-end tests: billion laughs and XXE.

Each is an RSS document whose DOCTYPE declares the entities, wrapped around the caller's own
``<item>``, so every test keeps the guid and title it asserts on.
"""

from __future__ import annotations

# ``&lol9;`` is 10**9 "lol"s for a parser that expands internal entities
_LOL_ENTITIES = """\
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">"""


def billion_laughs(item: str, channel_title: str = "t") -> bytes:
    """An RSS feed declaring ``&lol;`` .. ``&lol9;`` around ``item`` (which uses them)."""
    return _rss(f"<!DOCTYPE rss [\n{_LOL_ENTITIES}\n]>", channel_title, item)


def external_entity(uri: str, item: str, channel_title: str = "t") -> bytes:
    """An RSS feed whose ``&xxe;`` (used in ``item``) names ``uri``, e.g. a local file."""
    return _rss(f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}">]>', channel_title, item)


def _rss(doctype: str, channel_title: str, item: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n'
        f'<rss version="2.0"><channel><title>{channel_title}</title>\n{item}\n</channel></rss>'
    ).encode()
