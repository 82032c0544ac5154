"""Delivery: the outbox worker (``worker.py``) and what one send is (``message.py``)."""

from service.delivery.message import ChannelRoute, Message, choose, retry_delay
from service.delivery.worker import Delivery

__all__ = ["ChannelRoute", "Delivery", "Message", "choose", "retry_delay"]
