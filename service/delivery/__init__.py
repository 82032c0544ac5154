"""Delivery: the outbox worker (``worker.py``), one pass of a channel (``channel_pass.py``), what one
send is (``message.py``) and the threads of stories (``threads.py``)."""

from service.delivery.message import ChannelRoute, Message, choose, retry_delay
from service.delivery.worker import Delivery

__all__ = ["ChannelRoute", "Delivery", "Message", "choose", "retry_delay"]
