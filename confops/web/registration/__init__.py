"""Registration on the web: the register pages and the orders API, the order's self-service link
(with per-attendee cancellation and demographics), a person's registrations, and staff's
registrations, answers and catalog."""

from confops.web.registration.account import MyRegistrations
from confops.web.registration.api import OrdersApi
from confops.web.registration.demographics import DemographicsPages
from confops.web.registration.order_attendees import AttendeePages
from confops.web.registration.orders import OrderPages
from confops.web.registration.register import RegisterPages
from confops.web.registration.staff import StaffRegistrations
from confops.web.registration.staff_answers import StaffAnswers
from confops.web.registration.staff_catalog import StaffCatalog

ROUTES = [RegisterPages, OrderPages, OrdersApi, MyRegistrations, StaffRegistrations, StaffAnswers, StaffCatalog,
          DemographicsPages, AttendeePages]
