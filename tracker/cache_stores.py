"""Where the report cache keeps its entries: a disk cache in the data folder, or Redis.

Both answer the same small protocol (get, set, add-if-absent for the compute lock, delete,
clear) on bytes, so ``tracker.cache.ReportCache`` neither knows nor cares which it has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Store(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, seconds: float) -> None: ...
    def add(self, key: str, value: bytes, seconds: float) -> bool: ...
    def delete(self, key: str) -> None: ...
    def clear(self) -> None: ...


class DiskStore:
    def __init__(self, folder: Path) -> None:
        import diskcache

        self._cache = diskcache.Cache(str(folder), size_limit=2**30)

    def get(self, key: str) -> bytes | None:
        value = self._cache.get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, seconds: float) -> None:
        self._cache.set(key, value, expire=seconds)

    def add(self, key: str, value: bytes, seconds: float) -> bool:
        return bool(self._cache.add(key, value, expire=seconds))

    def delete(self, key: str) -> None:
        self._cache.delete(key)

    def clear(self) -> None:
        self._cache.clear()


class RedisStore:
    PREFIX = "tracker:reports:"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def get(self, key: str) -> bytes | None:
        value = self._redis.get(self.PREFIX + key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, seconds: float) -> None:
        self._redis.set(self.PREFIX + key, value, ex=max(1, int(seconds)))

    def add(self, key: str, value: bytes, seconds: float) -> bool:
        return bool(self._redis.set(self.PREFIX + key, value, ex=max(1, int(seconds)), nx=True))

    def delete(self, key: str) -> None:
        self._redis.delete(self.PREFIX + key)

    def clear(self) -> None:
        for key in self._redis.scan_iter(self.PREFIX + "*"):
            self._redis.delete(key)
