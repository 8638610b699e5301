"""Badges on the web: the staff badge list, batch PDF and reprints, and the walk-in desk."""

from confops.web.badges.staff import StaffBadges, WalkInDesk

ROUTES = [StaffBadges, WalkInDesk]
