"""The revocation list's encoding, checked against the spec's own description with the standard
library (gzip, base64), not with the module's decoder: bit 0 is the first byte's most
significant bit, the list is GZIP then multibase base64url ("u", no padding), 16 KB at least."""

import base64
import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confops.cme import status_list


def _independent_bits(encoded: str) -> bytes:
    assert encoded[0] == "u" and "=" not in encoded
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


@given(st.sets(st.integers(min_value=0, max_value=status_list.LIST_BITS - 1), max_size=40))
def test_the_bits_set_are_exactly_the_revoked_indexes(indexes):
    encoded = status_list.encode(indexes)
    raw = _independent_bits(encoded)
    assert len(raw) * 8 == status_list.LIST_BITS == 131_072
    assert {i for i in range(len(raw) * 8) if raw[i // 8] & (0x80 >> (i % 8))} == indexes
    decoded = status_list.decode(encoded)
    assert all(status_list.is_set(decoded, i) == (i in indexes) for i in list(indexes)[:5] + [0, 7, 8])


def test_bit_zero_is_the_most_significant_bit_of_the_first_byte():
    assert _independent_bits(status_list.encode([0]))[0] == 0x80
    assert _independent_bits(status_list.encode([7]))[0] == 0x01
    assert _independent_bits(status_list.encode([8]))[1] == 0x80


@pytest.mark.parametrize("hostile", ["", "z123", "u!!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode(),
                                     "u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * (40 * 1024 * 1024))).decode()])
def test_a_hostile_list_is_refused_not_inflated(hostile):
    """A list served by someone else may be garbage or a zip bomb (40 MB of zeros in 40 KB)."""
    with pytest.raises(ValueError):
        status_list.decode(hostile)


def test_an_index_outside_the_list_is_refused():
    with pytest.raises(ValueError):
        status_list.encode([status_list.LIST_BITS])
    with pytest.raises(ValueError):
        status_list.is_set(status_list.decode(status_list.encode([])), status_list.LIST_BITS)
