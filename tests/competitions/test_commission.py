"""Forming a commission, conflict-of-interest declarations and the quorum they change."""

import pytest

from recruit.competitions import commission, service
from recruit.db import utcnow
from recruit.errors import FormErrors
from tests.competitions.conftest import DETAILS


@pytest.fixture
def panel(make_user):
    return [make_user("commission_member") for _ in range(6)]


def _form(db, hr, competition_id, panel, members=3):
    seats = [(panel[0].id, "chair"), *((p.id, "member") for p in panel[1:members]), (panel[-1].id, "secretary")]
    return commission.form_commission(db, hr, competition_id, seats, utcnow())


def test_a_commission_has_an_odd_voting_panel_of_three_or_more(db, hr, announce, panel, make_user):
    competition = announce()
    for seats in ([(panel[0].id, "chair"), (panel[1].id, "member"), (panel[5].id, "secretary")],      # two voters
                  [(panel[0].id, "chair"), (panel[1].id, "chair"), (panel[2].id, "member"), (panel[5].id, "secretary")],
                  [(panel[0].id, "chair"), (panel[1].id, "member"), (panel[2].id, "member")]):          # no secretary
        with pytest.raises(FormErrors):
            commission.form_commission(db, hr, competition.id, seats, utcnow())
    outsider = make_user("candidate")
    with pytest.raises(FormErrors):
        commission.form_commission(db, hr, competition.id, [(outsider.id, "chair"), (panel[1].id, "member"),
                                                            (panel[2].id, "member"), (panel[5].id, "secretary")],
                                   utcnow())
    seats = _form(db, hr, competition.id, panel, members=5)
    assert [s.role for s in seats] == ["chair", "member", "member", "member", "member", "secretary"]


def test_a_conflict_excludes_the_member_and_recomputes_the_quorum(db, hr, announce, panel, make_user):
    competition = announce()
    _form(db, hr, competition.id, panel, members=5)
    application = service.apply(db, make_user(), competition.id, DETAILS, True, utcnow())
    assert commission.quorum(db, application.id) == commission.Quorum(voting=5, excluded=0, required=4)
    with pytest.raises(FormErrors):
        commission.declare(db, panel[1], application.id, True, "", utcnow())       # a conflict needs a description
    commission.declare(db, panel[1], application.id, True, "My nephew", utcnow())
    commission.declare(db, panel[2], application.id, True, "Former subordinate", utcnow())
    commission.declare(db, panel[3], application.id, False, "", utcnow())
    assert commission.quorum(db, application.id) == commission.Quorum(voting=5, excluded=2, required=2)
    with pytest.raises(service.CompetitionError):
        commission.declare(db, panel[3], application.id, True, "Changed my mind", utcnow())
    with pytest.raises(service.CompetitionError):
        commission.declare(db, panel[5], application.id, False, "", utcnow())      # the secretary does not vote
    with pytest.raises(service.NotFound):
        commission.declare(db, make_user("commission_member"), application.id, False, "", utcnow())
    with pytest.raises(service.CompetitionError):                                  # work has begun
        _form(db, hr, competition.id, panel, members=3)


def test_with_four_of_five_conflicted_no_result_is_possible(db, hr, announce, panel, make_user):
    competition = announce()
    _form(db, hr, competition.id, panel, members=5)
    application = service.apply(db, make_user(), competition.id, DETAILS, True, utcnow())
    for member in panel[:4]:
        commission.declare(db, member, application.id, True, "Relative", utcnow())
    quorum = commission.quorum(db, application.id)
    assert quorum.required == 2 and not quorum.possible
