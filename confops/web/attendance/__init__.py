"""Attendance thresholds and certificates of attendance (events without CME credit)."""

from confops.web.attendance.staff import AttendancePages, MyAttendance

ROUTES = [AttendancePages, MyAttendance]
