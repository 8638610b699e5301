"""Balint small groups: staff planning and review, attendee and leader pages."""

from confops.web.groups.account import MyGroups, MyLeaderTraining
from confops.web.groups.staff import StaffGroups, StaffLeaderTraining

ROUTES = [StaffGroups, StaffLeaderTraining, MyGroups, MyLeaderTraining]
