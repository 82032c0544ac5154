"""YAML plumbing for the user's ``rules/``: files with ``path:line`` errors, durations, ``${VAR}``.

Nothing here knows what a feed, a watchlist or a channel is: each domain package owns its own
config models (``feeds/config.py``, ``matching/schema.py``, ``notify/config.py``) and
``service/rules.py`` loads the whole folder by calling them. This package imports nothing from
the rest of ``service``.
"""
