"""The check-in QR an attendee shows at the door: the signed token of the check-in area.

The QR carries the token the check-in area signs for (event key, attendee id, token_version),
the same token the badge prints and the door scanner verifies; substitution, transfer and
cancellation bump `token_version`, so an old e-mail's QR is refused as revoked. Check-in sits
above registration, so the tokens are asked for ("checkin_tokens", core/extension.py).
"""

from __future__ import annotations

import base64
import io

import qrcode

from confops.core import extension


async def signed_tokens(event_id: int, attendees: list[dict]) -> dict[int, str]:
    """{attendee id: token} for the attendees' current token versions."""
    if not attendees:
        return {}
    tokens: dict[int, str] = {}
    for answer in await extension.collect("checkin_tokens", event_id=event_id, attendees=attendees):
        tokens.update(answer)
    return tokens


def qr_png(data: str) -> bytes:
    """A fixed mask pattern skips qrcode's mask search, most of the cost (STACK.md); any mask is
    valid for scanners."""
    code = qrcode.QRCode(box_size=8, border=4, mask_pattern=0)
    code.add_data(data)
    image = code.make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(data: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(data)).decode()
