"""Verifiable certificates: everything is public, by design. The issuer's keys and revocation
lists are what outsiders verify against; a credential is reached only by its unguessable serial
(as the verify page is); checking a credential or PDF changes nothing."""

RULES = {
    "GET /.well-known/did.json": "public",
    "GET /did.json": "public",
    "GET /.well-known/jwks.json": "public",
    "GET /credentials/status/{slug:str}": "public",
    "GET /credentials/{serial:str}": "public",
    "GET /credentials/{serial:str}/vc.jwt": "public",
    "GET /verify": "public",
    "POST /verify": "public",
    "POST /api/v1/credentials/verify": "public",
}
