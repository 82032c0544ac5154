"""Every Redis key Wirewatch writes, in one place, under one configurable prefix.

Layout (``P`` is the prefix, ``wirewatch:`` by default):

- ``P feeds``               hash   feed_id -> FeedState json
- ``P seen:<feed_id>``      zset   item_id scored by the time it was last seen
- ``P claim:<alert_key>``   string the claim time; expires after dedup_ttl
- ``P entry:<entry_id>``    hash   one outbox entry or dead letter: channel, alert, created_at,
                                   next_attempt, attempts, last_error, batch, token
                                   (+ reason, died_at if dead)
- ``P outbox:<channel>``    zset   pending entry ids scored by when they may be claimed
- ``P dead:<channel>``      zset   dead entry ids scored by died_at
- ``P channels``            set    channel names that ever had entries (for depth and listings)
- ``P gate:<channel>``      string the channel's earliest next claim (pacing, 429 pauses)
- ``P epoch``               string a marker written when the store is first used: gone = wiped
- ``P lease:poll:<feed_id>`` string the token of the process polling the feed now (expires)
- ``P alerts``              zset   AlertRecord json scored by when it was recorded (the alert log)
- ``P silences``            hash   silence id -> Silence json
- ``P history:<feed_id>``   zset   item json (``records.history_json``) scored by when first seen;
                                   expires history_ttl after the feed's last new item
- ``P history-feeds``       set    feed ids with history (expires like the newest history key)

An outbox entry's score in ``outbox:<channel>`` is when it may be claimed: its ``next_attempt``,
or the end of a worker's lease while its ``token`` field holds it.

An entry id sits in exactly one of ``outbox:<channel>`` / ``dead:<channel>``; the Lua scripts in
``redis/lua.py`` build the names from the same parts (``OUTBOX``, ``DEAD``, ``ENTRY``, ``GATE``
below), never spelled twice.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "wirewatch:"

# the name parts the Lua scripts also use (passed in as arguments)
ENTRY = "entry:"
OUTBOX = "outbox:"
DEAD = "dead:"
CHANNELS = "channels"
GATE = "gate:"


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = DEFAULT_PREFIX

    @property
    def feeds(self) -> str:
        return f"{self.prefix}feeds"

    def seen(self, feed_id: str) -> str:
        return f"{self.prefix}seen:{feed_id}"

    def claim(self, alert_key: str) -> str:
        return f"{self.prefix}claim:{alert_key}"

    def entry(self, entry_id: str) -> str:
        return f"{self.prefix}{ENTRY}{entry_id}"

    def outbox(self, channel: str) -> str:
        return f"{self.prefix}{OUTBOX}{channel}"

    def dead(self, channel: str) -> str:
        return f"{self.prefix}{DEAD}{channel}"

    def poll_lease(self, feed_id: str) -> str:
        return f"{self.prefix}lease:poll:{feed_id}"

    @property
    def epoch(self) -> str:
        return f"{self.prefix}epoch"

    def gate(self, channel: str) -> str:
        return f"{self.prefix}{GATE}{channel}"

    @property
    def channels(self) -> str:
        return f"{self.prefix}{CHANNELS}"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}alerts"

    @property
    def silences(self) -> str:
        return f"{self.prefix}silences"

    def history(self, feed_id: str) -> str:
        return f"{self.prefix}history:{feed_id}"

    @property
    def history_feeds(self) -> str:
        return f"{self.prefix}history-feeds"
