"""The published side of verifiable certificates: the issuer's DID document and JWKS, the
revocation lists, each certificate's credential, and checking what anyone brings (the page
and POST /api/v1/credentials/verify)."""

from __future__ import annotations

import json

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath
from litestar.response import Template

from confops.cme import credential_check, credentials, issuer_keys
from confops.cme.credential_offer import credential_of_serial, verifier_material
from confops.core.auth import PUBLIC
from confops.web.access import NO_SESSION
from confops.web.api_docs import problems
from confops.web.boundary import ANY_TEXT
from confops.web.render import page

_LIMIT = credential_check.MAX_BYTES + 64 * 1024
_PUBLISHED = {"cache-control": "public, max-age=300", "access-control-allow-origin": "*"}


def _json(body: dict, media_type: str = "application/json", **headers: str) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=1), media_type=media_type,
                    headers={**_PUBLISHED, **headers})


class IssuerDocuments(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC, NO_SESSION: True}

    async def _did(self) -> Response:
        did = issuer_keys.did_of(issuer_keys.CONFIG.base_url)
        return _json(issuer_keys.did_document(await issuer_keys.published(), did), "application/did+json")

    @get("/.well-known/did.json")
    async def did_document(self) -> Response:
        return await self._did()

    @get("/did.json")
    async def did_document_of_path(self) -> Response:
        """did:web of a base URL with a path resolves to <base>/did.json instead."""
        return await self._did()

    @get("/.well-known/jwks.json")
    async def jwks(self) -> Response:
        did = issuer_keys.did_of(issuer_keys.CONFIG.base_url)
        return _json(issuer_keys.jwks(await issuer_keys.published(), did), "application/jwk-set+json")

    @get("/credentials/status/{slug:str}")
    async def status_list(self, slug: FromPath[str]) -> Response:
        token = await credentials.status_list_token(slug)
        if token is None:
            return Response("No such revocation list.", status_code=404, media_type="text/plain")
        return Response(token, media_type=credentials.MEDIA_TYPE,
                        headers={"cache-control": "public, max-age=60", "access-control-allow-origin": "*"})

    @get("/credentials/{serial:str}")
    async def credential(self, request: Request, serial: FromPath[str]) -> Response:
        """The credential as JSON (an EnvelopedVerifiableCredential holding the VC-JWT): what a
        wallet imports from the link or QR code."""
        made = await credential_of_serial(serial)
        headers = {"content-disposition": f'attachment; filename="{serial}.json"'} \
            if request.query_params.get("download") else {}
        return _json(credentials.enveloped(made["jwt"]), **headers)

    @get("/credentials/{serial:str}/vc.jwt")
    async def credential_jwt(self, request: Request, serial: FromPath[str]) -> Response:
        made = await credential_of_serial(serial)
        headers = {**_PUBLISHED, "content-disposition": f'attachment; filename="{serial}.jwt"'} \
            if request.query_params.get("download") else _PUBLISHED
        return Response(made["jwt"], media_type=credentials.MEDIA_TYPE, headers=headers)


class VerdictOut(msgspec.Struct):
    verdict: str
    ok: bool
    title: str
    detail: str
    form: str
    facts: dict


class VerifyIn(msgspec.Struct):
    credential: str | dict = msgspec.field(default="")
    status_list: str = ""


def _out(verdict: credential_check.Verdict, status: int = 200) -> Response:
    return Response(VerdictOut(**{k: v for k, v in verdict.as_dict().items() if k in VerdictOut.__struct_fields__}),
                    status_code=status)


async def _read(request: Request) -> tuple[bytes | str, str]:
    """What was sent, whatever the form: a JSON body, a form with a file or pasted text, raw bytes."""
    kind = request.headers.get("content-type", "")
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        upload = form.get("file")
        if upload is not None and hasattr(upload, "read"):
            data = await upload.read()
            if data:
                return data, str(form.get("status_list") or "")
        return str(form.get("credential") or ""), str(form.get("status_list") or "")
    body = await request.body()
    if kind.startswith("application/json"):
        try:
            given = msgspec.json.decode(body, type=VerifyIn)
        except msgspec.DecodeError:
            return body, ""
        text = given.credential if isinstance(given.credential, str) else json.dumps(given.credential)
        return text, given.status_list
    return body, ""


async def _check(request: Request) -> tuple[credential_check.Verdict, int]:
    try:
        data, status_list = await _read(request)
    except RequestEntityTooLarge:
        return credential_check.Verdict("too_large", credential_check.DETAILS["too_large"]), 413
    if isinstance(data, str) and not data.strip() or isinstance(data, bytes) and not data.strip():
        return credential_check.Verdict("not_a_credential", "Paste a credential or choose a file to check."), 422
    verdict = await credential_check.check(data, status_list or None)
    return verdict, (413 if verdict.verdict == "too_large" else 200)


class CredentialsApi(Controller):
    path = "/api/v1/credentials"
    tags = ["credentials"]
    opt = {"access": PUBLIC, NO_SESSION: True}

    @post("/verify", request_max_body_size=_LIMIT, status_code=200, responses=problems(400, 413, 422),
          opt={ANY_TEXT: True})
    async def verify(self, request: Request) -> Response:
        """Check a credential or a certificate PDF against this site's published keys and
        revocation lists. Send JSON `{"credential": "<VC-JWT or its JSON envelope>",
        "status_list": "<optional status list VC-JWT you hold>"}`, a form with `file` or
        `credential`, or the file's bytes. Answers 200 with a verdict for anything it could read
        (valid, revoked, superseded, tampered, unknown_issuer, not_yet_valid, expired,
        status_list_expired, unsigned, not_a_credential), 422 when nothing was sent, 413 above 5 MB."""
        verdict, status = await _check(request)
        return _out(verdict, status)


class VerifyUploadPage(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/verify")
    async def form(self, request: Request) -> Template:
        return page(request, "cme/credential_check.html", result=None, material=await verifier_material())

    @post("/verify", request_max_body_size=_LIMIT, opt={"exclude_from_csrf": True, ANY_TEXT: True})
    async def check(self, request: Request) -> Template:
        """No CSRF token needed: checking changes nothing, and the token check would read an
        oversized upload before this handler could answer it with its verdict."""
        verdict, status = await _check(request)
        return page(request, "cme/credential_check.html", result=verdict, material=await verifier_material(),
                    status_code=status)

