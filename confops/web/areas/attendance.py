"""Attendance thresholds and certificates of attendance (events without CME credit)."""

from confops.web.staff.attendance import AttendancePages, MyAttendance

ROUTES = [AttendancePages, MyAttendance]
