"""Durable state: per-feed poll state, seen items, dedup claims, the outbox and dead letters."""
