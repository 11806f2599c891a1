"""Ordering that people expect for building and house numbers."""

import re
import unicodedata


def natural_key(text: str) -> tuple:
    """Sort key for building and house numbers: 1栋, 2栋 … 10栋 (by the
    numbers in the name, not as text); names without a number go last.
    Safe for any mix of names (never compares a number with text)."""
    s = unicodedata.normalize("NFKC", text or "").strip().upper()
    parts = re.split(r"(\d+)", s)
    key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)
    return (0 if key and key[0][0] == 0 else 1, key)


def unit_key(building_number: str, entrance: str, number: str) -> tuple:
    """Sort key for a household: 1栋 < 2栋 < 10栋, then 1单元 < 2单元, then
    101 < 102 < 1001 (each part by its numbers, not as text)."""
    return (natural_key(building_number), natural_key(entrance), natural_key(number))
