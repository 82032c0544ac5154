"""Reusable loopback peers and builders for tests: HTTP and SMTP receivers, alerts.

async with HttpReceiver() as rx:        # aiohttp.web on 127.0.0.1, random port
    rx.script([Reply(500), Reply(429, headers={"Retry-After": "3"}), Reply.stall()])
    ... rx.url, rx.requests[0].json(), rx.requests[0].headers ...

with SmtpReceiver() as smtp:            # aiosmtpd in a thread on 127.0.0.1
    smtp.refuse_next(1, code=451)
    ... smtp.port, smtp.messages[0]["Subject"] ...
"""

from tests.support.alerts import make_alert, make_followup, make_item, make_lead
from tests.support.http_receiver import HttpReceiver, Received, Reply
from tests.support.settings import closed_port, quick_settings
from tests.support.smtp_receiver import SmtpReceiver

__all__ = [
    "HttpReceiver",
    "Received",
    "Reply",
    "SmtpReceiver",
    "closed_port",
    "make_alert",
    "make_followup",
    "make_item",
    "make_lead",
    "quick_settings",
]
