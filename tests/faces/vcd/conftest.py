"""Fixtures of the vCD face's tests: ``broker``, a channel to the test broker (RabbitMQ on
127.0.0.1:5672, guest/guest; skipped when it is not there unless LOCALSPHERE_TEST_REQUIRE_AMQP=1)."""

from __future__ import annotations

import os

import pika
import pika.exceptions
import pytest


@pytest.fixture
def broker():
    """A channel to the test broker (skipped when there is none, unless it is required)."""
    try:
        connection = pika.BlockingConnection(
            pika.ConnectionParameters("127.0.0.1", 5672, connection_attempts=1)
        )
    except pika.exceptions.AMQPError as exc:
        if os.environ.get("LOCALSPHERE_TEST_REQUIRE_AMQP") == "1":
            pytest.fail(f"RabbitMQ is required but unreachable: {exc!r}")
        pytest.skip(f"RabbitMQ not reachable on 127.0.0.1:5672 ({exc!r})")
    yield connection.channel()
    connection.close()
