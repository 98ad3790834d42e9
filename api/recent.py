"""A per-process memory of recent lookups (API key → client, dienst → catalogue row), kept for
API_LOOKUP_CACHE_SECONDS: most checks repeat them, and each saved query is a round trip and
a fraction of a millisecond of Python. The price: revoking a key, deactivating a client or
changing a client's dienstverleners or a dienst takes that long to reach every process."""

import time
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings

MAX_ENTRIES = 10_000  # then start again: a flood of distinct lookups cannot grow it without end


class Recent:
    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        seconds = settings.API_LOOKUP_CACHE_SECONDS
        if seconds <= 0:
            return load()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if len(self._entries) >= MAX_ENTRIES:
            self._entries = {}
        self._entries[key] = (now + seconds, value)
        return value

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries = {}


keys = Recent()
diensten = Recent()
