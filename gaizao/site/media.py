"""Uploaded files are served only to users who may see the record they
belong to: each app answers for its own folder through
gaizao.core.media.register_file_checker (called from the app's
AppConfig.ready(); the checkers live in the apps' permissions.py). Anything
else is a 404, so a guessed path tells nothing. Behind a reverse proxy, keep
/media/ routed to this view (or use X-Accel-Redirect from here) rather than
serving the folder directly."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from gaizao.core import uploads
from gaizao.core.media import may_see_file


@login_required
def protected_media(request, path: str):
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if root not in full.parents or not full.is_file():
        raise Http404("文件不存在")
    if not may_see_file(request.user, path):
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
