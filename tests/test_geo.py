"""Places: the one module for Cambodia's divisions, coordinates and bounds."""

from __future__ import annotations

import pytest

from portal import geo


@pytest.mark.parametrize(("codes", "consistent"), [
    (["03", "0305", "030501", "03050101"], True),
    (["03", "0305", None, None], True),
    ([None, None, None, None], True),
    (["03", None, "030501", None], False),      # a level skipped
    (["03", "1702", None, None], False),        # a district of another province
    (["3", None, None, None], False),           # not a code
    (["99", None, None, None], False),          # no such province
])
def test_a_place_chain_is_checked_level_by_level(codes, consistent):
    assert geo.chain_is_consistent(codes) is consistent


@pytest.mark.parametrize(("code", "level"), [("03", "district"), ("0305", "commune"), ("030501", "village"),
                                             ("03050101", None), ("030", None)])
def test_the_level_below_a_code(code, level):
    assert geo.child_level(code) == level


def test_the_bounds_are_cambodia_with_a_margin():
    assert geo.in_cambodia(11.5564, 104.9282)        # Phnom Penh
    assert not geo.in_cambodia(21.0278, 105.8342)    # Hà Nội
    assert geo.parse_coordinates("104.9282, 11.5564") == (11.5564, 104.9282)  # put right


def test_place_choices_are_the_children_named_in_the_language():
    names = dict(geo.place_choices("district", "03", "km"))
    assert "0305" in names and all(code.startswith("03") for code in names)
    assert all("\u1780" <= name[0] <= "\u17ff" for name in names.values())
