"""Who may see an uploaded file (survey photos, feedback photos, paper
ballot sheets): each app answers for its own files. An app registers a
checker for its folder prefix from its AppConfig.ready(); the checker lives
in the app's permissions.py and uses the same chokepoint as its pages.
`gaizao.site.media.protected_media` serves /media/<path> and asks here.

core only keeps the registry, so it imports no app above it."""

from collections.abc import Callable

# prefix ("surveys/") → fn(user, name) -> bool
_CHECKERS: dict[str, Callable[[object, str], bool]] = {}


def register_file_checker(prefix: str, fn: Callable[[object, str], bool]) -> None:
    """`prefix` is the upload folder with its trailing slash. A second
    registration of the same prefix by another function is a mistake."""
    if not prefix.endswith("/"):
        raise ValueError(f"prefix must end with '/': {prefix!r}")
    old = _CHECKERS.get(prefix)
    if old is not None and old is not fn:
        raise ValueError(f"a file checker is already registered for {prefix!r}")
    _CHECKERS[prefix] = fn


def file_checker(path: str) -> Callable[[object, str], bool] | None:
    """The checker for `path`, or None when no app answers for it."""
    return next((fn for prefix, fn in _CHECKERS.items() if path.startswith(prefix)), None)


def may_see_file(user, path: str) -> bool:
    check = file_checker(path)
    return check is not None and bool(check(user, path))
