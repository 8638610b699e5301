"""Speakers on the web: the speaker portal and staff's faculty pages."""

from confops.web.speakers.portal import SpeakerPortal
from confops.web.speakers.staff import StaffSpeakers

ROUTES = [SpeakerPortal, StaffSpeakers]
