"""Uploads are judged by their bytes (gaizao.core.uploads): a page or text
passed off as a ballot sheet or a photo is refused on the web and the API
with a Chinese message and nothing is written; accepted files are stored
under a random name with their real extension."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation.models import Ballot, BallotConflict, Vote

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%scan\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def upload(name, data, ctype):
    return SimpleUploadedFile(name, data, content_type=ctype)


def stored(prefix):
    root = Path(settings.MEDIA_ROOT) / prefix
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def staff(client_for, users):
    return client_for(users["community_tianxiang"])


@pytest.fixture
def vote(cast):
    now = timezone.now()
    return Vote.objects.create(
        compound=cast["compound_a"],
        matter=7,
        title="加装电梯",
        law="civil_code",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        status="open",
    )


BAD = [
    ("sheet.html", HTML, "text/html"),
    ("sheet.jpg", b"just some text, not a photo", "image/jpeg"),
]


@pytest.mark.parametrize("name,data,ctype", BAD)
def test_paper_sheet_that_is_not_a_photo_is_refused_on_the_web(
    staff, vote, cast, name, data, ctype
):
    r = staff.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {
            "unit": cast["units_a"][0].pk,
            "choice": "agree",
            "channel": "paper",
            "sheet_photo": upload(name, data, ctype),
        },
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert f"文件“{name}”不是照片或 PDF 扫描件" in html
    assert not Ballot.objects.exists() and not BallotConflict.objects.exists()
    assert stored("ballots") == []


@pytest.mark.parametrize("name,data,ctype", BAD)
def test_paper_sheet_that_is_not_a_photo_is_refused_by_the_api(
    staff, vote, cast, name, data, ctype
):
    r = staff.post(
        f"/api/v1/votes/{vote.pk}/paper-ballots",
        {
            "unit_id": cast["units_a"][0].pk,
            "choice": "agree",
            "channel": "paper",
            "sheet_photo": upload(name, data, ctype),
        },
    )
    assert r.status_code == 400
    assert "不是照片或 PDF 扫描件" in r.json()["error"]
    assert not Ballot.objects.exists() and stored("ballots") == []


def test_duplicate_with_a_bad_sheet_is_refused_before_any_conflict_is_stored(staff, vote, cast):
    Ballot.objects.create(vote=vote, unit=cast["units_a"][0], choice="agree", channel="online")
    r = staff.post(
        f"/api/v1/votes/{vote.pk}/paper-ballots",
        {
            "unit_id": cast["units_a"][0].pk,
            "choice": "oppose",
            "sheet_photo": upload("x.html", HTML, "text/html"),
        },
    )
    assert r.status_code == 400 and not BallotConflict.objects.exists()
    assert stored("ballots") == []


def test_sheets_are_stored_with_their_real_extension(staff, vote, cast):
    u1, u2 = cast["units_a"]
    r = staff.post(
        f"/api/v1/votes/{vote.pk}/paper-ballots",
        {
            "unit_id": u1.pk,
            "choice": "agree",
            "sheet_photo": upload("IMG_1.jpg", PNG, "image/jpeg"),
        },
    )
    assert r.status_code == 201, r.content
    r = staff.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {
            "unit": u2.pk,
            "choice": "agree",
            "channel": "paper",
            "sheet_photo": upload("张三丰.jpg", PDF, "image/jpeg"),
        },
        HTTP_HX_REQUEST="true",
    )
    assert "已录入" in r.content.decode()
    png, pdf = (Ballot.objects.get(unit=u).sheet_photo.name for u in (u1, u2))
    assert png.startswith("ballots/") and png.endswith(".png") and "IMG_1" not in png
    assert pdf.endswith(".pdf") and "张三丰" not in pdf
    # served as what it is
    assert staff.get(f"/media/{pdf}")["Content-Type"] == "application/pdf"


def test_retally_sheet_is_checked(staff, client_for, users, vote, cast):
    from gaizao.consultation.models import Objection

    Vote.objects.filter(pk=vote.pk).update(status="published", result={"passed": True}, passed=True)
    Objection.objects.create(
        vote=vote,
        text="漏计",
        state="upheld",
        reply="成立",
        replied_at=timezone.now(),
    )
    r = staff.post(
        reverse("consultation:vote_retally", args=[vote.pk]),
        {
            "q": "101",
            "choice": "agree",
            "reason": "补计",
            "sheet_photo": upload("s.jpg", HTML, "image/jpeg"),
        },
        follow=True,
    )
    assert "不是照片或 PDF 扫描件" in r.content.decode()
    assert not Ballot.objects.exists() and stored("ballots") == []
