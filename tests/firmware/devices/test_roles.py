"""The card driver's reader-role names are the flow's ReaderRole values, so ``ReaderRole(role)`` translates them."""

from __future__ import annotations

from drivers.card.readers import ROLES
from firmware.reception.types import ReaderRole


def test_reader_role_names_agree_with_the_flow() -> None:
    assert set(ROLES) == {role.value for role in ReaderRole}
    assert [ReaderRole(role) for role in ROLES] == [ReaderRole.CARD, ReaderRole.PHONE]
