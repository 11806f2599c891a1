"""Issue 7: the import views only authorise, validate through forms and call
services/selectors — no ORM query and no hand-parsed POST in the view module."""

import inspect

from gaizao.inventory import selectors, views_import
from gaizao.inventory.forms_import import ImportConfirmForm


def test_view_module_has_no_orm_and_no_raw_post():
    src = inspect.getsource(views_import)
    for needle in (".objects", "request.POST.get", "in request.POST", "request.POST["):
        assert needle not in src, needle


def test_confirm_form_reads_the_buttons():
    assert ImportConfirmForm({"cancel": "1"}).cancelled
    assert not ImportConfirmForm({"confirm": "1"}).cancelled
    assert ImportConfirmForm({"confirm": "1", "accept_warnings": "1"}).warnings_accepted
    assert not ImportConfirmForm({"confirm": "1"}).warnings_accepted


def test_import_choices_are_scoped(cast, users):
    jinchen = list(selectors.import_compounds(users["street_jinchen"]))
    assert jinchen == [cast["compound_a"]]
    assert len(selectors.import_compounds(users["bureau"])) == 2
    assert [s.name for s in selectors.import_streets(users["street_jinchen"])] == ["金辰街道"]
    assert selectors.import_streets(users["resident_a"]).count() == 0
    units = selectors.units_of_compound(cast["compound_a"])
    assert units.count() == len(cast["units_a"]) > 0
