"""Schemas of the participation API (api_participation.py). The class names
are the OpenAPI component names: keep them."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema

from gaizao.core.apikit import Error  # noqa: F401  (re-exported for api_participation)


class RedeemIn(Schema):
    code: str


class RedeemOut(Schema):
    token: str
    compound_id: int
    compound: str
    unit: str


class WillingnessSurveyOut(Schema):
    id: int
    compound_id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    with_menu: bool
    is_open: bool


class MenuItemOut(Schema):
    id: int
    code: str
    name: str
    tier: str
    unit: str
    unit_cost: Decimal
    estimate: Decimal | None = None
    per_household: Decimal | None = None


class ResponseIn(Schema):
    willingness: str
    contribution_yuan: Decimal | None = None
    contribution_per_m2: Decimal | None = None
    items: list[int] = []
    note: str = ""
    unit_id: int | None = None  # staff, assisted mode: the unit acted for


class WillingnessResponseOut(Schema):
    id: int
    unit_id: int
    willingness: str
    items: list[int]
    assisted: bool


class VoteOut(Schema):
    id: int
    compound_id: int
    matter: int
    matter_name: str
    title: str
    law: str
    rule: str
    opens_at: datetime
    closes_at: datetime
    status: str
    passed: bool | None
    notice_ends_at: datetime | None
    overturned: bool = False
    overturned_reason: str = ""
    my_choice: str | None = None


class BallotIn(Schema):
    choice: str
    unit_id: int | None = None


class BallotOut(Schema):
    id: int
    vote_id: int
    unit_id: int
    choice: str
    channel: str
    cast_at: datetime


class ObjectionIn(Schema):
    text: str


class ObjectionOut(Schema):
    id: int
    text: str
    raised_at: datetime
    raised_by: str | None = None  # staff only
    state: str
    state_label: str
    reply: str
    replied_at: datetime | None = None
    replied_by: str | None = None  # staff only


class ReplyIn(Schema):
    reply: str
    state: str  # replied (已答复) | upheld (成立) | rejected (不成立)


class OverturnIn(Schema):
    reason: str


class UnitMatchOut(Schema):
    id: int
    building_id: int
    building: str
    entrance: str
    number: str
    label: str
    has_ballot: bool
