"""Addresses for tests that need a service that is not there."""

import socket


def closed_port() -> int:
    """A local TCP port nothing listens on (just released by the kernel)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
