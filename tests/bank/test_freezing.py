"""A form freezes the item versions it uses; each process remembers frozen versions only after the commit."""

import pytest
from sqlmodel import select

from recruit.bank import service as bank
from recruit.bank.models import BankItem


def _frozen(db) -> set[tuple[str, int]]:
    with db.read() as session:
        return set(session.exec(select(BankItem.item_id, BankItem.version).where(BankItem.frozen)).all())


def test_a_rolled_back_form_freezes_nothing_and_the_next_one_still_does(db, demo_bank):
    form = bank.assemble(db, "corps-b", 7, "ru")
    used = {(fi.item_id, fi.version) for fi in form.items}
    with pytest.raises(RuntimeError), db.write() as session:
        bank.freeze_form(session, form)
        raise RuntimeError("the attempt's insert failed")
    assert not _frozen(db) & used
    with db.write() as session:
        bank.freeze_form(session, form)
    assert used <= _frozen(db)
