"""Small-cell suppression: no cell under 5 can be read or worked out from what is shown."""

from hypothesis import given
from hypothesis import strategies as st

from confops.backoffice.diversity import suppress


def test_small_cells_are_suppressed_with_a_complement():
    table = suppress("Role", {"Physician": 7, "Psychologist": 5, "Nurse": 1})
    shown = {c.label: c.count for c in table.cells}
    assert shown["Nurse"] is None
    assert shown["Psychologist"] is None  # else 13 − 7 − 5 = 1 reveals the nurse
    assert shown["Physician"] == 7 and table.total == 13


def test_fewer_than_five_answers_show_nothing():
    table = suppress("Role", {"Physician": 3, "Nurse": 1})
    assert table.total is None and all(c.count is None for c in table.cells)


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.integers(min_value=0, max_value=40), max_size=6))
def test_no_hidden_cell_can_be_derived(counts):
    table = suppress("X", counts)
    hidden = [c for c in table.cells if c.count is None]
    for c in table.cells:
        if c.count is not None:
            assert c.count == 0 or c.count >= 5
    if table.total is not None:
        # With the total shown, a single hidden non-zero cell would be total minus the rest.
        assert len([c for c in hidden if counts[c.label] > 0]) != 1
