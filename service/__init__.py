"""Wirewatch: watch news feeds, match editors' watchlists, deliver alerts once."""

__version__ = "0.1.0"
