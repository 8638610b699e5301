"""A message written as plain text gets its HTML part in the shared layout when it is built:
links become links (the first one alone on its line the button), and hostile text stays text."""

from confops.core.mail import Message, build_email


def _html(text: str) -> str:
    return build_email(Message(to="a@example.org", subject="Hello", text=text), "x@example.org").get_body(
        ("html",)).get_content()


def test_a_text_message_is_sent_in_the_layout_with_its_link_as_a_button():
    email = build_email(Message(to="a@example.org", subject="Your sign-in link",
                                text="Hello Ann,\n\nUse this link:\n\nhttps://ex.org/login/link/abc\n"), "x@example.org")
    assert email.get_body(("plain",)).get_content().startswith("Hello Ann,")
    html = email.get_body(("html",)).get_content()
    assert "cid:logo@confops" in html and "Your sign-in link</title>" in html
    assert '<a href="https://ex.org/login/link/abc" style="display:inline-block' in html  # the button
    assert any(p.get("Content-ID") == "<logo@confops>" for p in email.walk())  # the logo travels with it


def test_hostile_text_stays_text_and_only_web_addresses_are_linked():
    html = _html('Dear <script>alert(1)</script>,\n\nsee javascript:alert(1) and "https://ex.org/a?b=1&c=2".')
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://ex.org/a?b=1&amp;c=2"' in html
