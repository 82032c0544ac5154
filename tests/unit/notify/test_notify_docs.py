"""The receiver shown in README.md (Channels, webhook) verifies what the webhook notifier really sends."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest

from service.notify.base import Batch
from service.notify.webhook import WebhookConfig, WebhookNotifier
from tests.support import make_alert, quick_settings
from tests.support.examples import CHANNELS_EXAMPLE
from tests.support.paths import README

DOC = README
SECRET = "whsec_" + base64.b64encode(b"docs-example-secret-32-bytes-ok!").decode()


def doc_receiver() -> dict[str, Any]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    (code,) = [b for b in blocks if b.startswith("# verify_wirewatch.py")]
    namespace: dict[str, Any] = {"__name__": "verify_wirewatch"}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def test_documented_verifier_accepts_real_signature_and_rejects_forgery() -> None:
    verify = doc_receiver()["verify"]
    config = WebhookConfig.model_validate({"url": "https://x.example/h", "secret": SECRET})
    notifier = WebhookNotifier("w", config, httpx.AsyncClient(), quick_settings())
    alert = make_alert(title="Ünïcode & <b>tags</b>")
    headers, body = notifier.encode(Batch.of([alert]))
    headers = {k.lower(): v for k, v in headers.items()}
    payload = verify(SECRET, headers, body)
    assert payload["data"]["alerts"][0]["key"] == alert.key
    with pytest.raises(ValueError):
        verify(SECRET, headers, body + b" ")
    with pytest.raises(ValueError):
        verify(SECRET, {**headers, "webhook-timestamp": "1000"}, body)


def test_documented_example_config_is_the_tested_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert CHANNELS_EXAMPLE.split("channels:\n", 1)[1] in text
