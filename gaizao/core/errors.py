"""One domain error type (STYLE.md habit 8).

Services raise DomainError with a message in the user's language; the edges
(form views, htmx fragments, the JSON API, the command line) turn it into a
form error, a fragment or {"error": ...}. `errors` carries row/field detail
for spreadsheet problems.
"""

from dataclasses import dataclass, field


@dataclass
class ErrorDetail:
    message: str
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"“{self.column}”列")
        return ("".join(where) + ": " if where else "") + self.message


class DomainError(Exception):
    def __init__(self, message: str, *, errors: list[ErrorDetail] | None = None, code: str = ""):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or []
        self.code = code

    def as_dict(self) -> dict:
        d: dict = {"error": self.message}
        if self.errors:
            d["errors"] = [e.as_dict() for e in self.errors]
        if self.code:
            d["code"] = self.code
        return d


@dataclass
class Problems:
    """Collects row errors while parsing, so every problem is reported at once."""

    items: list[ErrorDetail] = field(default_factory=list)

    def add(self, message: str, *, row=None, column=None, field=None) -> None:
        self.items.append(ErrorDetail(str(message), row=row, column=column, field=field))

    def __bool__(self) -> bool:
        return bool(self.items)
