"""Loading the user's YAML (`rules/`) into validated, typed configuration.

Every problem is reported as ``path:line: message``; nothing here raises a traceback for a
user's mistake.
"""
