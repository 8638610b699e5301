"""The back office: dashboards, exports, bulk e-mail, mailing list, diversity report, audit
log, privacy pages, background jobs and piccolo-admin."""

from confops.web.backoffice.admin import admin
from confops.web.backoffice.jobs import JobPages
from confops.web.backoffice.mail import BulkMailPages, MailingListPages
from confops.web.backoffice.oversight import AuditPages, MyPrivacy, StaffPrivacy
from confops.web.backoffice.reports import AcrossEvents, EventReports

ROUTES = [EventReports, AcrossEvents, BulkMailPages, MailingListPages, AuditPages, MyPrivacy, StaffPrivacy,
          JobPages, admin]
