"""Group commit: writes that arrive in a process while another is being written wait, and the
next writer writes them all at once, in one statement and one commit.

Why: in a registration rush every order updates the event's counter row and holds its lock
until its commit, so orders pass that row one at a time however cheap each is; written
together, a batch passes it once (registration/order_batches.py, bench/README.md). Scans at the
door go the same way (checkin/fast_scan.py): nothing is shared between them, but each
statement's own cost in PostgreSQL (a commit, its WAL flush, the executor's start) was most of
a scan's.

The callers waiting form the queue; whoever's write is first in it when the previous batch ends
writes the next, taking everyone waiting who may go with it (`together` equal), up to `most`.
There is no background task: a caller cancelled while waiting takes its write out, or hands its
turn on. `write(batch)` gives each entry its outcome with `settle`; an entry it leaves without
one (it raised, or was cancelled) gets None, which callers take as "do it on your own".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from confops.core.per_loop import PerLoop

_LEAD = object()  # the outcome that says: your turn to write the next batch


@dataclass(eq=False)
class Entry:
    """One write waiting. Entries with equal `together` may share a statement."""
    together: Hashable
    item: Any
    outcome: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


def settle(entries: list[Entry], outcome: Callable[[Entry], Any]) -> None:
    """Give each entry that has none yet its outcome."""
    for entry in entries:
        if not entry.outcome.done():
            entry.outcome.set_result(outcome(entry))


class _Queue:
    def __init__(self) -> None:
        self.waiting: list[Entry] = []
        self.writing = False


class Batches:
    """One kind of write's queue (one per event loop)."""

    def __init__(self, write: Callable[[list[Entry]], Awaitable[None]], *, most: int) -> None:
        self._write = write
        self.most = most
        self._queues = PerLoop(_Queue)

    def queue(self) -> _Queue:
        return self._queues.get()

    async def submit(self, item: Any, together: Hashable,
                     gate: Callable[[], contextlib.AbstractAsyncContextManager] | None = None) -> Any:
        """The outcome `write` gave this item, written with whatever waited beside it. `gate`:
        held while writing (taken by the writer only; the batch is taken once it has it)."""
        me = Entry(together, item)
        queue = self.queue()
        queue.waiting.append(me)
        if queue.writing:
            try:
                outcome = await me.outcome
            except asyncio.CancelledError:
                if me in queue.waiting:
                    queue.waiting.remove(me)
                if me.outcome.done() and not me.outcome.cancelled() and me.outcome.result() is _LEAD:
                    self._hand_on(queue)
                raise
            if outcome is not _LEAD:
                return outcome
            me.outcome = asyncio.get_running_loop().create_future()
        queue.writing = True
        batch = [me]
        try:
            async with gate() if gate is not None else contextlib.nullcontext():
                batch = self._take(queue, me)  # whoever arrived while the gate was busy goes too
                await self._write(batch)
        finally:
            if me in queue.waiting:  # cancelled before its turn came
                queue.waiting.remove(me)
            settle(batch, lambda _: None)
            self._hand_on(queue)
        return me.outcome.result()

    def withdraw(self, together: Hashable) -> list[Entry]:
        """The entries waiting that may go with `together`, taken out of the queue: the writer
        settles them (when a batch's refusal says theirs would be refused too)."""
        queue = self.queue()
        alike = [e for e in queue.waiting if e.together == together and not e.outcome.done()]
        queue.waiting = [e for e in queue.waiting if e not in alike]
        return alike

    def _take(self, queue: _Queue, me: Entry) -> list[Entry]:
        """`me` and the entries waiting that may go with it, first come first served."""
        batch = [me]
        for other in queue.waiting:
            if len(batch) >= self.most:
                break
            if other is not me and other.together == me.together and not other.outcome.done():
                batch.append(other)
        queue.waiting = [e for e in queue.waiting if e not in batch]
        return batch

    @staticmethod
    def _hand_on(queue: _Queue) -> None:
        """The next entry waiting writes the next batch; with none, nobody is writing."""
        while queue.waiting:
            first = queue.waiting[0]
            if not first.outcome.done():
                first.outcome.set_result(_LEAD)
                return
            queue.waiting.pop(0)
        queue.writing = False
