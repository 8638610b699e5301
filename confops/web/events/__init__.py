"""Events on the web: public organizer, event, agenda and session pages, program files and the
events API; staff set-up, schedule editor and start page; a person's own agenda."""

from confops.web.events.account import AgendaPages
from confops.web.events.api import EventsApi
from confops.web.events.program import ProgramFiles
from confops.web.events.public import PublicPages
from confops.web.events.staff import EventSetupPages
from confops.web.events.staff_home import StaffHome
from confops.web.events.staff_schedule import ScheduleEditor

ROUTES = [PublicPages, ProgramFiles, EventsApi, AgendaPages, StaffHome, EventSetupPages, ScheduleEditor]
