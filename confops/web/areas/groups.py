"""Balint small groups: staff planning and review, attendee and leader pages."""

from confops.web.attendee.groups import MyGroups, MyLeaderTraining
from confops.web.staff.groups import StaffGroups, StaffLeaderTraining

ROUTES = [StaffGroups, StaffLeaderTraining, MyGroups, MyLeaderTraining]
