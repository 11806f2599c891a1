"""Check a paper tally sheet (表决统计表) on the web: the same reading and
tally as `gaizao tally` (sheet_tally.py); the result is shown, not stored —
ballots of record are entered one by one with their sheet photos."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import get_compound_for_user

from .forms import SheetTallyForm
from .sheet_tally import sheet_tally
from .views import _need, staff_required


@staff_required
@require_http_methods(["GET", "POST"])
def sheet_check(request, pk):
    compound = get_compound_for_user(request.user, pk)
    _need(request.user, "vote.manage")
    form = SheetTallyForm(request.POST or None, request.FILES or None)
    result = errors = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = sheet_tally(
                d["sheet"],
                filename=d["sheet"].name,
                item=d["item"],
                law=d["law"] or None,
                opens=d["opens"],
                closes=d["closes"],
                developer=d["developer"],
            )
        except DomainError as e:
            form.add_error(None, e.message)
            errors = e.errors
    return render(
        request,
        "consultation/sheet_check.html",
        {"compound": compound, "form": form, "result": result, "errors": errors},
        status=400 if form.errors else 200,
    )
