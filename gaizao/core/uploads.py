"""What an uploaded file really is, from its first bytes. The content type a
browser sends is whatever the client says; an SVG or HTML file passed off as
a photo would run script if it were ever served back as a page. Every upload
(survey and feedback photos, paper ballot sheets) is checked here, and
site.media serves files by the same test."""

from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

_MAGIC = [
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
    (b"GIF87a", ".gif", "image/gif"),
    (b"GIF89a", ".gif", "image/gif"),
]
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
_PDF = (b"%PDF-", ".pdf", "application/pdf")


def _kind(head: bytes, *, allow_pdf: bool) -> tuple[str, str] | None:
    for magic, ext, ctype in _MAGIC:
        if head.startswith(magic):
            return ext, ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp", "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return (".avif", "image/avif") if head[8:12] == b"avif" else (".heic", "image/heic")
    if allow_pdf and head.startswith(_PDF[0]):
        return _PDF[1], _PDF[2]
    return None


def image_extension(head: bytes) -> str | None:
    """ ".jpg", ".png", … for a photo a phone produces; None otherwise."""
    k = _kind(head, allow_pdf=False)
    return k[0] if k else None


def content_type(head: bytes) -> str | None:
    """The content type to serve a stored file with (images, PDF); None: not one of ours."""
    k = _kind(head, allow_pdf=True)
    return k[1] if k else None


def check_document(
    f, *, allow_pdf: bool = True, max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[str | None, str | None]:
    """(extension, None) for an acceptable photo or scan, (None, message) otherwise."""
    if f.size > max_bytes:
        return None, _("文件“%(file)s”超过 10 MB,请压缩后重新上传") % {"file": f.name}
    head = f.read(32)
    f.seek(0)
    k = _kind(head, allow_pdf=allow_pdf)
    if k is None:
        if allow_pdf:
            return None, _(
                "文件“%(file)s”不是照片或 PDF 扫描件(只接受 JPG、PNG、HEIC、WebP、PDF)"
            ) % {"file": f.name}
        return None, _("文件“%(file)s”不是照片(只接受 JPG、PNG、HEIC、WebP 图片)") % {
            "file": f.name
        }
    return k[0], None
