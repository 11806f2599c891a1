"""What every API module shares: the one error schema, and keyset paging
(issue 14 #1: a page of a list costs the same whether the jurisdiction holds
400 compounds or 220,000).

Keyset paging: a list is ordered by a unique key (its sort fields, then
`id`); the answer is `{"items": [...], "next": "<cursor>" | null}` and the
next page is asked for with `?after=<cursor>`. The cursor holds the last
row's key values, signed (django.core.signing) so that a forged or edited
cursor is refused with a 422 in the caller's language rather than read.
Rows inserted while a client walks the list are never repeated and never
shift a page (unlike OFFSET); each page is one indexed range query.

Nulls sort last in either direction, so a nullable sort field (a compound's
latest score) pages correctly too.

`cached_page` keeps the serialised answer of a list endpoint per user, query,
language, day and data version (gaizao.core.pagecache): a hit is one cache
read, with no query, no schema validation and no JSON encoding.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import create_model

from . import pagecache
from .errors import DomainError, ErrorDetail

LIMIT_DEFAULT = 50
LIMIT_MAX = 500
_SALT = "gaizao.api.cursor"


class Error(Schema):
    """Every error answer: {"error": "…", "errors": [{"field", "message"}]}."""

    error: str
    errors: list[dict] | None = None
    code: str | None = None


class PageQuery(Schema):
    """`after` (the `next` of the previous page) and `limit` (1–500)."""

    after: str | None = Field(None, max_length=500, description="上一页返回的 next(翻页游标)")
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="每页条数(1–500)")


class CursorInvalid(DomainError):
    """A cursor this server did not issue for this list: 422 at the edge."""

    def __init__(self):
        message = _("翻页游标无效或已过期,请从第一页重新开始")
        super().__init__(
            _("请求数据有误"),
            errors=[ErrorDetail(message, field="after")],
            code="cursor_invalid",
        )


@dataclass(frozen=True)
class Key:
    """One sort field: its name (a model field or an annotation) and direction."""

    field: str
    desc: bool = False


def _encode(value: Any):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # Decimal: exact as text


def _after(keys: list[Key], values: list) -> Q:
    """Rows strictly after `values` in the order of `keys` (nulls last)."""
    out = Q(pk__in=[])
    same = Q()
    for key, v in zip(keys, values, strict=True):
        if v is None:
            step = Q(pk__in=[])  # nothing sorts after a null within this field
            eq = Q(**{f"{key.field}__isnull": True})
        else:
            op = "lt" if key.desc else "gt"
            step = Q(**{f"{key.field}__{op}": v}) | Q(**{f"{key.field}__isnull": True})
            eq = Q(**{key.field: v})
        out |= same & step
        same &= eq
    return out


def _unique(keys: list[Key]) -> list[Key]:
    """The sort keys made unique by the primary key (in the last key's direction)."""
    if keys and keys[-1].field in ("pk", "id"):
        return keys
    return [*keys, Key("pk", desc=keys[-1].desc if keys else False)]


def _ordered(qs: QuerySet, keys: list[Key]) -> QuerySet:
    return qs.order_by(*[_order(k) for k in keys])


def _order(k: Key):
    if k.field in ("pk", "id"):
        # Never null: the plain order, which PostgreSQL reads down the primary
        # key's index ("DESC NULLS LAST" it cannot: it sorted every row of a
        # national list first, 0.1 s for 22,000 works).
        return f"-{k.field}" if k.desc else k.field
    return F(k.field).desc(nulls_last=True) if k.desc else F(k.field).asc(nulls_last=True)


def keyset_page(
    qs: QuerySet,
    *,
    after: str | None,
    limit: int,
    keys: list[Key],
    scope: str,
) -> tuple[list, str | None]:
    """One page of `qs` ordered by `keys` (+ id): (rows, next cursor or None).

    `scope` names the list and its filters' order, so that a cursor of one
    list (or one ordering) is refused by another."""
    keys = _unique(keys)
    qs = _ordered(qs, keys)
    if after:
        try:
            values = signing.loads(after, salt=f"{_SALT}:{scope}")
        except signing.BadSignature as e:
            raise CursorInvalid() from e
        if not isinstance(values, list) or len(values) != len(keys):
            raise CursorInvalid()
        qs = qs.filter(_after(keys, values))
    limit = max(1, min(int(limit), LIMIT_MAX))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    values = [_encode(_value(last, k.field)) for k in keys]
    return rows, signing.dumps(values, salt=f"{_SALT}:{scope}", compress=True)


def _value(obj, path: str):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def paged(
    qs: QuerySet,
    *,
    after: str | None,
    limit: int,
    keys: list[Key],
    scope: str,
    out=None,
    offset: int | None = None,
) -> dict:
    """The answer of a list endpoint: {"items", "next"}; `out` turns a row
    into its output dict. `offset` (deprecated, for one release): the old
    OFFSET paging with its `count`, when a client still sends it without
    `after`."""
    out = out or (lambda row: row)
    if offset is not None and not after:
        limit = max(1, min(int(limit), LIMIT_MAX))
        rows = _ordered(qs, _unique(keys))[offset : offset + limit]
        return {"items": [out(r) for r in rows], "next": None, "count": qs.count()}
    rows, nxt = keyset_page(qs, after=after, limit=limit, keys=keys, scope=scope)
    return {"items": [out(r) for r in rows], "next": nxt}


def page_schema(item: type, name: str) -> type[Schema]:
    """The schema of a keyset page of `item`: {"items": [...], "next": cursor}.
    `name` is its OpenAPI component name (unique: `<Item>Page`)."""
    return create_model(
        name,
        __base__=Schema,
        items=(list[item], ...),
        next=(str | None, Field(description="下一页的游标(?after=);null 表示已是最后一页")),
    )


def cached_page(request, part: str, schema: type[Schema], build: Callable[[], Any]) -> HttpResponse:
    """The 200 answer of a list endpoint, `build()` validated by its response
    `schema` and encoded as django-ninja would (so the document and the bytes
    are the same as without the cache), kept per user, query, language, day
    and data version (pagecache.cached_json). Authorise and check the
    parameters before calling it: errors raised by `build` are not kept."""

    def render() -> str:
        ctx = {"request": request, "response_status": 200}
        data = schema.model_validate(build(), context=ctx).model_dump(context=ctx)
        return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False)

    return pagecache.cached_json(request, "api." + part, render)


def cached_paged(request, schema: type[Schema], qs, page, *, keys, scope: str, out) -> HttpResponse:
    """cached_page of one keyset page of `qs` (paged) for the `page` query
    (after, limit): the shape of most list endpoints, written once."""
    return cached_page(
        request,
        scope,
        schema,
        lambda: paged(qs, after=page.after, limit=page.limit, keys=keys, scope=scope, out=out),
    )
