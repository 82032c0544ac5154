"""Feeds: fetch bytes (HTTP or file), parse them into Items, and poll one feed with its state.

``client.make_client`` builds the shared HTTP client, ``poll.poll_feed`` is the one call the
pipeline makes per feed, ``parse.parse_feed`` turns bytes into Items, ``links.normalize_link``
says when two links name the same story.
"""
