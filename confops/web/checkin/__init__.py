"""Check-in on the web: the device API, the scanner page, the staff pages and live counts
(Channels, the one area that brings a plugin)."""

from confops.checkin.devices import forget_cached
from confops.web.checkin.api import CheckinApi
from confops.web.checkin.live import make_channels
from confops.web.checkin.scanner import ScannerPage
from confops.web.checkin.staff import StaffCheckin

ROUTES = [CheckinApi, ScannerPage, StaffCheckin]


def make_plugins(settings) -> list:
    forget_cached()  # a new app (another database, in tests) starts with empty device/key caches
    return [make_channels(settings.redis_url)]
