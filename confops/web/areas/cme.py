"""CME credit: coordinator, learner, faculty and public verification pages."""

from confops.web.cme.credentials import CredentialsApi, IssuerDocuments, VerifyUploadPage
from confops.web.cme.learner import LearnerCme
from confops.web.cme.public import CertificatesApi, VerifyPage
from confops.web.cme.speaker import FacultyCme
from confops.web.cme.staff import StaffCme

ROUTES = [StaffCme, LearnerCme, FacultyCme, VerifyPage, CertificatesApi, IssuerDocuments, CredentialsApi,
          VerifyUploadPage]
