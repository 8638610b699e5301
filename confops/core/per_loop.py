"""A value per running event loop, for the state a process's requests share (write gates, queues
of writes waiting, shared reads).

Why per loop: asyncio's futures, events and semaphores belong to the loop they were made on. A
served process has one loop, but the tests run many in one process, one after another, and
state kept from a loop that has ended would wait forever. Keyed weakly, a loop's state goes
with it.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._values: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = weakref.WeakKeyDictionary()

    def get(self) -> T:
        """This loop's value, made on first use."""
        loop = asyncio.get_running_loop()
        value = self._values.get(loop)
        if value is None:
            value = self._values[loop] = self._make()
        return value
