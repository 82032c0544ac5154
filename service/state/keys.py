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
- ``P story:{s}:slices``     hash   k -> the newest slice written with slice size 2^k seconds
                                   (a lookup reads the slices from there back); expires with
                                   the newest slice
- ``P story:{s}:b:<k>:<slice>:<bucket>`` hash  band key (8 bytes, big-endian) -> the refs
                                   (``story_lua.py`` records) of entries with that band seen
                                   during the slice; bucket = band % 4096; slice = seen_at //
                                   2^k, 2^k the largest power of two <= the entry's lifetime / 4;
                                   expires when the slice's last entry can have expired
- ``P story:{s}:entry:<ref>`` string ``<expires_at>|<seen_at>|<k>|`` + ``StoryEntry.to_bytes()``;
                                   expires then
- ``P story:{s}:lead:<story_id>@<watchlist>`` hash  key, title, seen (the story's lead alert);
                                   expires STORY_TTL after it was last touched
- ``P story:{s}:thread:<alert_key>@<channel>`` string the message that carried the alert there;
                                   expires after STORY_TTL

The story band keys are bucketed so that they take little memory: each slice hash holds ~57
band keys at 100,000 items per 48 h (2^15 s slices, 4,096 buckets), small enough to stay a
listpack, so a band key costs ~20 bytes instead of a key of its own (~200 bytes). Measured by
``bench/story_bench.py``: 3,362 bytes/item for the window with one ZSET per band key, 973 with
this layout (``redis/stories.py`` gives the numbers behind the choice).

The story keys carry their own hash tag ``{s}``: with a plain prefix they still share one
Redis Cluster slot (a story script touches slice, entry and lead keys together); with a hash tag
in the prefix that tag comes first and wins, so they share the prefix's slot like every key.

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
STORY = "story:{s}:"
STORY_ENTRY = STORY + "entry:"
STORY_SLICE = STORY + "b:"


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

    @property
    def story_slices(self) -> str:
        return f"{self.prefix}{STORY}slices"

    @property
    def story_slice_prefix(self) -> str:
        """The story scripts append ``<k>:<slice>:<bucket>``."""
        return f"{self.prefix}{STORY_SLICE}"

    def story_slice(self, exponent: int, slice_no: int, bucket: int) -> str:
        return f"{self.story_slice_prefix}{exponent}:{slice_no}:{bucket}"

    def story_entry(self, ref: str) -> str:
        return f"{self.prefix}{STORY_ENTRY}{ref}"

    def story_lead(self, watchlist: str, story_id: str) -> str:
        return f"{self.prefix}{STORY}lead:{story_id}@{watchlist}"

    def thread_ref(self, channel: str, alert_key: str) -> str:
        return f"{self.prefix}{STORY}thread:{alert_key}@{channel}"
