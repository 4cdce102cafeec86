"""The local account's password policy, rule by rule: one password that keeps it, one that breaks it."""

import pytest

from localsphere.world.auth import LOCAL_ACCOUNT_POLICY

RULES = [
    # (rule, a password that keeps it, a password that breaks only it, words of the message)
    ("minimum length", "Abcdef1234!x", "Abcdef123!x", "Length"),
    ("maximum length", "Ab1!" + "xy" * 61 + "x", "Ab1!" + "xy" * 62, "Length"),
    ("a lower-case letter", "ABCDEF1234!x", "ABCDEF1234!X", "lowercase"),
    ("an upper-case letter", "abcdef1234!X", "abcdef1234!x", "uppercase"),
    ("a digit", "Abcdefghij!1", "Abcdefghij!x", "digit"),
    ("a special character", "Abcdefghij1*", "Abcdefghij1x", "special character from"),
    ("only the allowed specials", "Abcdef1234!%@$^#?*", "Abcdef1234!&", "Only these special"),
    ("ASCII only", "Abcdef1234!a", "Äbcdef1234!a", "Only these special"),
    ("three repeats at most", "Abc111!xyz12", "Abc1111!xyz2", "repeated more than 3"),
]


@pytest.mark.parametrize(("rule", "good", "bad", "words"), RULES, ids=[r[0] for r in RULES])
def test_each_rule(rule, good, bad, words):
    assert LOCAL_ACCOUNT_POLICY.violations(good) == []
    found = LOCAL_ACCOUNT_POLICY.violations(bad)
    assert len(found) == 1 and words in found[0], found


def test_two_letters_are_needed():
    assert LOCAL_ACCOUNT_POLICY.violations("Ab1234567890!") == []
    found = LOCAL_ACCOUNT_POLICY.violations("A1234567890!")
    assert any("2 alphabetic" in v for v in found)  # one letter cannot also be lower and upper case


def test_the_seed_special_characters_are_exactly_allowed():
    for special in "!%@$^#?*":
        assert LOCAL_ACCOUNT_POLICY.violations(f"Abcdef1234{special}x") == []
    for special in "&()-_+=~.,;: '\"/\\<>[]{}|`":
        assert LOCAL_ACCOUNT_POLICY.violations(f"Abcdef1234!{special}") != [], special
