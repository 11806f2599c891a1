"""The compound's adopted owners' meeting rules (业主大会议事规则) as far as
they bear on votes: deemed consent (未参与表决视为同意), with the date the
rule was adopted and where it is written."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail

from ..models import MeetingRules
from ._common import _require


def meeting_rules_set(
    *, actor, compound, deemed_consent: bool, adopted_on, source: str
) -> MeetingRules:
    _require(actor, "vote.manage", _("您的角色无权登记议事规则"))
    source = (source or "").strip()
    problems = []
    if adopted_on is None:
        problems.append(ErrorDetail(_("请填写议事规则通过日期"), field="adopted_on"))
    elif adopted_on > timezone.localdate():
        problems.append(ErrorDetail(_("议事规则通过日期不能晚于今天"), field="adopted_on"))
    if not source:
        problems.append(
            ErrorDetail(_("请填写条款出处,如《某某小区业主大会议事规则》第十八条"), field="source")
        )
    if problems:
        raise DomainError(problems[0].message, errors=problems)
    with transaction.atomic():
        old = MeetingRules.objects.select_for_update().filter(compound=compound).first()
        before = (
            {
                "deemed_consent": old.deemed_consent,
                "adopted_on": old.adopted_on.isoformat(),
                "source": old.source,
            }
            if old
            else {}
        )
        rules, created = MeetingRules.objects.update_or_create(
            compound=compound,
            defaults={
                "deemed_consent": bool(deemed_consent),
                "adopted_on": adopted_on,
                "source": source,
                "recorded_by": actor,
            },
        )
        after = {
            "deemed_consent": rules.deemed_consent,
            "adopted_on": rules.adopted_on.isoformat(),
            "source": rules.source,
        }
        audit.record(
            actor=actor,
            instance=rules,
            action="create" if created else "update",
            changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
        )
    return rules
