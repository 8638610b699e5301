"""Registration's later pages: staff edit any answer, consented demographics, group orders'
per-attendee cancellation and substitution (the first pages are in confops/app.py)."""

from confops.web.registration.attendees import AttendeePages
from confops.web.registration.demographics import DemographicsPages
from confops.web.registration.staff_answers import StaffAnswers
from confops.web.registration.staff_catalog import StaffCatalog

ROUTES = [StaffAnswers, StaffCatalog, DemographicsPages, AttendeePages]
