"""Online group series: meeting links and go/no-go (/staff/events/<slug>/series)."""

from confops.web.series.staff import SeriesPages

ROUTES = [SeriesPages]
