"""Uploaded files kept between preview and commit.

Stored under <MEDIA_ROOT's parent>/imports/<uuid>/ (or settings.GAIZAO_IMPORT_DIR),
deliberately outside MEDIA_ROOT: /media/ is served, and a unit sheet holds
owners' names, phones and ID numbers. A meta.json records the owner, kind
and target; only that user can preview or commit it, and the commit parses
the file again (re-validates) instead of trusting anything from the browser.
"""

import json
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError

from . import limits

MAX_AGE_SECONDS = 24 * 3600
MAX_BYTES = limits.MAX_FILE_BYTES


def root() -> Path:
    custom = getattr(settings, "GAIZAO_IMPORT_DIR", None)
    return Path(custom) if custom else Path(settings.MEDIA_ROOT).parent / "imports"


def save(upload, *, user_id, kind: str, street_id=None, compound_id=None) -> str:
    if upload.size > MAX_BYTES:
        raise DomainError(_("文件过大(超过%(mb)sMB)") % {"mb": MAX_BYTES // 1024 // 1024})
    token = uuid.uuid4().hex
    folder = root() / token
    folder.mkdir(parents=True, exist_ok=False)
    with open(folder / "upload", "wb") as f:
        for chunk in upload.chunks():
            f.write(chunk)
    meta = {
        "user_id": user_id,
        "kind": kind,
        "filename": Path(upload.name).name[:200],
        "street_id": street_id,
        "compound_id": compound_id,
        "created": time.time(),
    }
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    _sweep()
    return token


def load(token: str, *, user_id) -> tuple[Path, dict] | None:
    """(file path, meta) of the user's stashed upload, or None."""
    try:
        token = uuid.UUID(str(token)).hex
    except ValueError:
        return None
    folder = root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id or time.time() - meta.get("created", 0) > MAX_AGE_SECONDS:
        return None
    return folder / "upload", meta


def remember(token: str, **values) -> None:
    """Add to the upload's meta: the preview records its number of rows,
    which decides whether the commit runs in the request or as a job."""
    folder = root() / uuid.UUID(str(token)).hex
    meta = json.loads((folder / "meta.json").read_text())
    meta.update(values)
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))


def discard(token: str) -> None:
    try:
        token = uuid.UUID(str(token)).hex
    except ValueError:
        return
    shutil.rmtree(root() / token, ignore_errors=True)


def _sweep() -> None:
    """Drop uploads nobody committed within a day."""
    now = time.time()
    base = root()
    for folder in base.iterdir() if base.is_dir() else []:
        try:
            if now - folder.stat().st_mtime > MAX_AGE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
