import pytest


@pytest.fixture
def release_check_held_off(monkeypatch):
    """Expired holds are released at read time every 5 s (catalog._release_at_read_time, two
    queries). Tests that count an order's statements, or which orders wait together, hold it
    off: on a loaded machine it could fall between their orders (seen with the suite at -n 3).
    Nothing they place holds places that expire."""
    from confops.registration import catalog

    monkeypatch.setattr(catalog, "RELEASE_EVERY_SECONDS", 3600.0)
