"""An event's categories as lists and filters show them: code and label, in the event's order."""

from __future__ import annotations

from confops.registration.tables import Category


async def category_labels(event_id: int) -> list[dict]:
    return await Category.select(Category.code, Category.label).where(
        Category.event == event_id).order_by(Category.position)
