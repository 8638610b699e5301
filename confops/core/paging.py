"""Paging for staff lists and chunked reading for exports, the same on both engines.

Lists page with LIMIT/OFFSET and a bounded COUNT of the same filter: the rows are counted up to
`COUNT_CAP` past the current page (a COUNT over a LIMIT subquery), so a search that matches
20,000 registrations costs what one matching 1,000 does, and staff see "1–50 of 1,050+" and can
page on (Next, or any page number up to the known count; each page counts further). A list
shorter than that shows its exact total.
The page number, sort and filters all travel in the URL (`Page.link`), so a page can be
bookmarked, shared and reloaded, and every link is an ordinary link a keyboard reaches.

Exports read in keyset chunks (`chunks`): each chunk is its own short query that starts after
the last row of the previous one, so memory stays at one chunk and no connection or transaction
is held while the file goes out. (Piccolo's `batch()` cursor opens a connection outside the pool
and its context manager swallows exceptions, so it is not used.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from piccolo.columns.combination import WhereRaw

PAGE_SIZE = 50
CHUNK = 2000
COUNT_CAP = 1000  # rows counted past the current page before a list says "N+"


def page_number(raw: object) -> int:
    """The page asked for in the URL: anything that is not a positive number is page 1."""
    try:
        return max(1, min(int(str(raw)), 1_000_000))
    except (TypeError, ValueError):
        return 1


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    number: int
    size: int = PAGE_SIZE
    params: dict = field(default_factory=dict)  # the filters and sort, kept in every link
    param: str = "page"  # the URL's name for this list's page number (two lists on one page differ)
    more: bool = False  # counting stopped at `total`: there are more rows than that

    @property
    def total_text(self) -> str:
        """The total as staff read it: "1,050+" when counting stopped there."""
        return f"{self.total:,}+" if self.more else f"{self.total:,}"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return 0 if not self.rows else (self.number - 1) * self.size + 1

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1 if self.rows else 0

    def link(self, number: int | None = None, **changes) -> str:
        """The query string of this list at another page (or sort): empty values are left out."""
        params = {**self.params, **changes, self.param: number if number is not None else self.number}
        if params[self.param] == 1:
            params.pop(self.param)
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})

    def nearby(self) -> list[int]:
        """Page numbers worth a link: the first, the last and two either side of this one."""
        shown = {1, self.pages, *range(max(1, self.number - 2), min(self.pages, self.number + 2) + 1)}
        return sorted(shown)


async def bounded_count(keys, limit: int) -> int:
    """How many rows `keys` (a select of one column, unordered) has, counted up to `limit`: a
    COUNT over a LIMIT subquery, so the database stops reading at `limit` rows."""
    sub = keys.limit(limit).querystrings[0]
    return (await keys.table.raw("SELECT COUNT(*) AS n FROM ({}) AS counted", sub))[0]["n"]


async def counted_to(keys, number: int, size: int = PAGE_SIZE, cap: int | None = None) -> tuple[int, bool]:
    """(rows known, whether there are more) for a list shown at page `number`: counted up to
    `cap` (`COUNT_CAP`) rows past that page."""
    limit = number * size + (COUNT_CAP if cap is None else cap)
    known = await bounded_count(keys, limit + 1)
    return min(known, limit), known > limit


async def paged(select, count, number: int, size: int = PAGE_SIZE, params: dict | None = None,
                keys=None, cap: int | None = None) -> Page:
    """`select` (ordered, ending in a unique key) limited to page `number`; `count` is a select
    of one column with the same filter, unordered, counted up to `cap` rows past this page
    (`counted_to`). A page past the end shows the last page.

    `keys`, when given, is (key column, the same select of that column alone): the offset is
    then walked in it (an index-only scan where an index holds the filter and the order) and
    only the page's rows are read whole, which keeps page 200 of 20,000 near page 1's time."""
    total, more = await counted_to(count, number, size, cap)
    pages = max(1, -(-total // size))
    number = min(number, pages)
    offset = (number - 1) * size
    if keys is None or offset == 0:
        rows = await select.limit(size).offset(offset)
    else:
        key, key_select = keys
        rows = await select.where(key.is_in(key_select.limit(size).offset(offset))).limit(size)
    return Page(rows=rows, total=total, number=number, size=size, params=params or {}, more=more)


async def chunks(make_select: Callable[[WhereRaw | None], object], keys: Sequence[tuple[str, str]],
                 size: int | None = None) -> AsyncIterator[list[dict]]:
    """Every row of an ordered select, `size` at a time. `make_select(after)` builds the query
    with `after` added to its filter (None for the first chunk), ordered by `keys`: pairs of
    (SQL column, key in the row), the last unique, all ascending, none null."""
    size = size or CHUNK
    after: WhereRaw | None = None
    while True:
        rows = await make_select(after).limit(size)
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1]
        columns = ", ".join(column for column, _ in keys)
        marks = ", ".join("{}" for _ in keys)
        after = WhereRaw(f"({columns}) > ({marks})", *[last[key] for _, key in keys])


def within(columns: Sequence[str], low: Sequence, high: Sequence) -> WhereRaw:
    """Rows whose (columns) lie between two rows' keys, ends included: the related rows of one
    chunk (its answers, add-ons, certificates) read by the chunk's key range, joined, rather than
    by an IN list of its ids, which Piccolo builds slowly for thousands of values."""
    cols = ", ".join(columns)
    marks = ", ".join("{}" for _ in columns)
    return WhereRaw(f"({cols}) >= ({marks}) AND ({cols}) <= ({marks})", *low, *high)
