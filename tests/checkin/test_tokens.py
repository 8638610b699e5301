"""Check-in tokens: unforgeable, small enough for a version-4 QR, verifiable offline, revocable."""

import random

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from confops.checkin import keys as keyring
from confops.checkin import tokens
from confops.checkin.tokens import Claims, EventKey, OfflineVerifier, Verdict


@pytest.fixture(scope="module")
def key():
    return keyring.new_key(7)


def _check(key, token, current=1):
    return tokens.verify(token, key=key, current_version=current)


def test_round_trip_with_smallest_and_largest_ids():
    for event_id, attendee, version in ((1, 0, 0), (tokens.MAX_ID, tokens.MAX_ID, tokens.MAX_VERSION)):
        key = keyring.new_key(event_id, generation=tokens.MAX_GENERATION)
        token = tokens.issue(key, attendee, version)
        assert len(token) == tokens.TOKEN_LENGTH and token.isdigit()
        result = _check(key, token, current=version)
        assert result.verdict is Verdict.ok
        assert result.claims == Claims(event_id, attendee, version, tokens.MAX_GENERATION)


def test_every_one_character_change_of_200_tokens_is_refused(key):
    rng = random.Random(5)
    for attendee in rng.sample(range(1, 10**6), 200):
        token = tokens.issue(key, attendee, 1)
        assert _check(key, token).ok
        for i, original in enumerate(token):
            for digit in "0123456789":
                if digit != original:
                    changed = token[:i] + digit + token[i + 1:]
                    assert not _check(key, changed).ok, (attendee, i, digit)
            assert not _check(key, token[:i] + token[i + 1:]).ok  # a digit dropped
            assert not _check(key, token[:i] + "0" + token[i:]).ok  # a digit added
        assert not _check(key, token + "0").ok


def test_a_token_from_another_key_or_event_is_refused(key):
    stranger = EventKey(7, 1, bytes(32))
    assert _check(key, tokens.issue(stranger, 42, 1)).verdict is Verdict.invalid
    other_event = keyring.new_key(8)
    assert _check(key, tokens.issue(other_event, 42, 1)).verdict is Verdict.wrong_event


def test_revoked_versions_and_rotated_keys(key):
    old = tokens.issue(key, 42, 1)
    new = tokens.issue(key, 42, 2)
    assert _check(key, old, current=2).verdict is Verdict.revoked
    assert _check(key, new, current=2).verdict is Verdict.ok
    assert _check(key, new, current=1).verdict is Verdict.invalid  # a version never issued
    assert _check(key, new, current=None).verdict is Verdict.invalid  # an unknown attendee
    rotated = keyring.new_key(7, generation=2)
    assert _check(rotated, new, current=2).verdict is Verdict.revoked
    assert _check(rotated, tokens.issue(rotated, 42, 2), current=2).ok


def test_offline_scanner_with_key_and_revocation_map(key):
    scanner = OfflineVerifier(EventKey(7, 1, key.secret), {42: 2, 43: 1})
    assert scanner.check(tokens.issue(key, 42, 2)).ok
    assert scanner.check(tokens.issue(key, 42, 1)).verdict is Verdict.revoked
    assert scanner.check(tokens.issue(key, 99, 1)).verdict is Verdict.invalid
    assert scanner.check("hello").verdict is Verdict.invalid


def test_ids_that_do_not_fit_are_refused_at_issue(key):
    with pytest.raises(ValueError, match="attendee_id"):
        tokens.issue(key, 1 << 32, 1)


@pytest.mark.parametrize("ids", [(1, 1, 0), (tokens.MAX_ID, tokens.MAX_ID, tokens.MAX_VERSION)])
def test_token_fits_a_version_4_qr_at_error_correction_m(ids):
    token = tokens.issue(keyring.new_key(ids[0], generation=tokens.MAX_GENERATION), ids[1], ids[2])
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(token)
    code.make(fit=True)
    assert code.version <= 4


def test_sealed_key_opens_only_with_its_secret_event_and_generation(key):
    secret = "s" * 40
    sealed = keyring.seal(key, secret)
    assert keyring.unseal(7, 1, sealed, secret) == key
    for event_id, generation, wrong_secret in ((7, 1, "t" * 40), (8, 1, secret), (7, 2, secret)):
        with pytest.raises(ValueError, match="does not open"):
            keyring.unseal(event_id, generation, sealed, wrong_secret)
