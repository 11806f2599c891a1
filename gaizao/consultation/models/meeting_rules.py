"""consultation: what a compound's adopted owners' meeting rules (业主大会议事
规则) say about votes. Today one clause: deemed consent (未参与表决视为同意).

The law counts only owners who take part (民法典 第二百七十八条); some
compounds' 议事规则 provide that an owner who does not vote after due notice
is deemed to agree with the majority. Where (and only where) such a rule was
adopted, the result shows a second, clearly labelled count beside the
statutory one; it never replaces it (see services.votes._tally_data)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped, user_ref

__all__ = ["MeetingRules"]


class MeetingRules(TimeStamped):
    compound = models.OneToOneField(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="meeting_rules",
    )
    deemed_consent = models.BooleanField(_("议事规则规定未参与表决视为同意"), default=False)
    # The rule: when the owners' meeting adopted it and where it is written
    # (e.g. 《天祥小区业主大会议事规则》第十八条); it applies to votes that
    # open on or after the adoption date.
    adopted_on = models.DateField(_("议事规则通过日期"))
    source = models.CharField(_("条款出处"), max_length=300)
    recorded_by = user_ref(_("登记人"))

    class Meta:
        verbose_name = _("业主大会议事规则")
        verbose_name_plural = _("业主大会议事规则")

    def __str__(self):
        return f"{self.compound} · {self.source}"
