"""CME credit on the web: coordinator (staff), learner (account), faculty (speaker), public
verification and the verifiable credentials' published documents and API."""

from confops.web.cme.account import LearnerCme
from confops.web.cme.credentials import CredentialsApi, IssuerDocuments, VerifyUploadPage
from confops.web.cme.public import CertificatesApi, VerifyPage
from confops.web.cme.speaker import FacultyCme
from confops.web.cme.staff import StaffCme

ROUTES = [StaffCme, LearnerCme, FacultyCme, VerifyPage, CertificatesApi, IssuerDocuments, CredentialsApi,
          VerifyUploadPage]
