"""Event setup: staff create, edit, publish and copy events (/staff/events)."""

from confops.web.staff.event_setup import EventSetupPages

ROUTES = [EventSetupPages]
