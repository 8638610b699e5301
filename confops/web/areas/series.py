"""Online group series: meeting links and go/no-go (/staff/events/<slug>/series)."""

from confops.web.staff.series import SeriesPages

ROUTES = [SeriesPages]
