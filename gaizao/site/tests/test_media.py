"""Uploaded files are served through the same chokepoints as their records."""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from gaizao.consultation.models import Ballot, Vote
from gaizao.inventory.models import Condition, ConditionPhoto, Survey

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _survey_photo(compound):
    s = Survey.objects.create(compound=compound, surveyed_on=date(2026, 1, 5), score=50)
    c = Condition.objects.create(survey=s, facility="roads", rating="broken")
    p = ConditionPhoto(condition=c)
    p.image.save("road.png", ContentFile(PNG))
    return "/media/" + p.image.name


def test_survey_photo_follows_compound_visibility(client_for, cast):
    url = _survey_photo(cast["compound_a"])
    u = cast["users"]
    r = client_for(u["street_jinchen"]).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert r["Cache-Control"].startswith("private")
    assert client_for(u["street_qingyun"]).get(url).status_code == 404
    assert client_for(u["resident_b"]).get(url).status_code == 404
    assert client_for(u["resident_a"]).get(url).status_code == 200
    # Anonymous: to the login page, never the file.
    assert client_for(None).get(url).status_code == 302
    # No walking out of the media folder, no unknown folders.
    assert client_for(u["admin"]).get("/media/../settings.py").status_code == 404
    assert client_for(u["admin"]).get("/media/other/x.png").status_code == 404


def test_ballot_sheet_only_for_vote_staff(client_for, cast):
    now = timezone.now()
    v = Vote.objects.create(
        compound=cast["compound_a"],
        matter=7,
        title="改造表决",
        law="civil_code",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        status="open",
    )
    b = Ballot(vote=v, unit=cast["units_a"][0], choice="agree", channel="paper")
    b.sheet_photo.save("sheet.png", ContentFile(PNG))
    url = "/media/" + b.sheet_photo.name
    u = cast["users"]
    assert client_for(u["community_tianxiang"]).get(url).status_code == 200
    # Signatures: not for the resident (even of the same compound), nor another street.
    assert client_for(u["resident_a"]).get(url).status_code == 404
    assert client_for(u["street_qingyun"]).get(url).status_code == 404


def test_stored_html_is_never_served_as_a_page(client_for, cast, settings):
    """Even if a non-image got stored, it comes back as a sandboxed download."""
    url = _survey_photo(cast["compound_a"])
    from pathlib import Path

    path = Path(settings.MEDIA_ROOT) / url.removeprefix("/media/")
    path.write_bytes(b"<html><script>alert(1)</script></html>")
    r = client_for(cast["users"]["street_jinchen"]).get(url)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"] == "attachment"
    assert "sandbox" in r["Content-Security-Policy"]


def test_upload_check_reads_bytes_not_names():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gaizao.core.uploads import check_document

    fake = SimpleUploadedFile("sheet.jpg", b"not an image at all", content_type="image/jpeg")
    ext, err = check_document(fake)
    assert ext is None and "sheet.jpg" in err
    html = SimpleUploadedFile("evil.html", b"<html><script>x</script>", content_type="text/html")
    assert check_document(html)[0] is None
    assert (
        check_document(
            SimpleUploadedFile("s.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
        )[0]
        == ".pdf"
    )
    assert check_document(SimpleUploadedFile("p.png", PNG, content_type="image/png"))[0] == ".png"
    assert (
        check_document(
            SimpleUploadedFile("s.pdf", b"%PDF-1.7", content_type="application/pdf"),
            allow_pdf=False,
        )[0]
        is None
    )
