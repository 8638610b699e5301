"""Every route declares who may use it; an undeclared route fails here (start of the role matrix)."""

from confops.core.auth import ACCESS_LEVELS


def test_every_route_declares_an_access_rule(app):
    missing = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            automatic_options = getattr(handler, "http_methods", None) == {"OPTIONS"}
            if handler.opt.get("access") not in ACCESS_LEVELS and not automatic_options:
                missing.append(f"{sorted(handler.http_methods) if hasattr(handler, 'http_methods') else ''} {route.path}")
    assert not missing, f"routes without an access rule: {missing}"


async def test_signed_in_pages_send_visitors_to_sign_in(client, demo):
    r = await client.get("/account")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/account"
    r = await client.get("/staff")
    assert r.headers["location"] == "/staff/login?next=/staff"
