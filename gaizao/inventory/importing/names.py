"""Compound names compared for near-duplicates (the same compound written twice)."""

import re

from .cells import nfkc

# Words that name the kind of place, not the place: "天祥小区" and "天祥" are
# one compound written twice. Digits, 、 and ranges stay: "操兵巷1、18号" and
# "操兵巷118号" are different compounds.
_GENERIC_SUFFIXES = (
    "住宅小区",
    "小区",
    "宿舍区",
    "宿舍",
    "家属院",
    "生活区",
    "院落",
    "大院",
    "片区",
    "院",
)


def loose_name(name: str) -> str:
    """A compound name as compared for near-duplicates."""
    s = re.sub(r"[\s·•・]", "", nfkc(name))
    for suffix in _GENERIC_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            return s[: -len(suffix)]
    return s
