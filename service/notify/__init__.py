"""Notifiers: one module per channel type, listed in ``registry``."""
