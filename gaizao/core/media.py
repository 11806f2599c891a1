"""Uploaded files (survey photos, feedback photos, paper ballot sheets) are
served only to users who may see the record they belong to: the same
chokepoints as the pages. Anything else is a 404, so a guessed path tells
nothing. Behind a reverse proxy, keep /media/ routed to this view (or use
X-Accel-Redirect from here) rather than serving the folder directly."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from gaizao.accounts.models import Role

from . import uploads

# Ballot sheets carry owners' signatures: only the staff who run votes.
BALLOT_ROLES = {Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE, Role.COMMUNITY}


def _survey_photo(user, name: str) -> bool:
    from gaizao.inventory.models import ConditionPhoto
    from gaizao.inventory.permissions import compounds_for_user

    cid = (
        ConditionPhoto.objects.filter(image=name)
        .values_list("condition__survey__compound_id", flat=True)
        .first()
    )
    return cid is not None and compounds_for_user(user).filter(pk=cid).exists()


def _ballot_sheet(user, name: str) -> bool:
    from gaizao.consultation.models import Ballot, BallotConflict
    from gaizao.inventory.permissions import compounds_for_user

    if not (user.is_superuser or user.role in BALLOT_ROLES):
        return False
    cid = (
        Ballot.objects.filter(sheet_photo=name).values_list("vote__compound_id", flat=True).first()
        or BallotConflict.objects.filter(sheet_photo=name)
        .values_list("vote__compound_id", flat=True)
        .first()
    )
    return cid is not None and compounds_for_user(user).filter(pk=cid).exists()


CHECKS = {"surveys/": _survey_photo, "ballots/": _ballot_sheet}


def register(prefix: str, checker) -> None:
    """An app above core answers for its own folder of uploads:
    `checker(user, name) -> bool`, registered in its AppConfig.ready()
    (feedback: "feedback/" → gaizao.feedback.permissions.may_see_file)."""
    CHECKS[prefix] = checker


@login_required
def protected_media(request, path: str):
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if root not in full.parents or not full.is_file():
        raise Http404("文件不存在")
    check = next((fn for prefix, fn in CHECKS.items() if path.startswith(prefix)), None)
    if check is None or not check(request.user, path):
        raise Http404("文件不存在或无权查看")
    # Whatever was uploaded, it is never rendered as a page of this site:
    # images and PDF inline by their real bytes, anything else as a download,
    # and a sandbox CSP on top (a stored script cannot run with our origin).
    ctype = sniff_type(full)
    resp = FileResponse(open(full, "rb"), content_type=ctype or "application/octet-stream")
    if ctype is None:
        resp["Content-Disposition"] = "attachment"
    resp["Cache-Control"] = "private, max-age=3600"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return resp


def sniff_type(path: Path) -> str | None:
    with open(path, "rb") as f:
        return uploads.content_type(f.read(32))
