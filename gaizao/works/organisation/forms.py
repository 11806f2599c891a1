"""Parse what the organisation pages post into the services' arguments.
Choices are resolved against the querysets the page offered, so a forged
id is refused with a message, never trusted."""

from django.utils.translation import gettext as _

from gaizao.accounts import picking as person_picking
from gaizao.core.errors import DomainError
from gaizao.inventory.picking import pick_compound
from gaizao.regions import picking as org_picking

DECISION_ROWS = 5
TASK_ROWS = 6
# street offices in the user's area above which attendees are typed, not ticked
STREET_BOXES = 40
ATTENDEE_BOXES = 8  # typed attendee boxes offered (more come back after a refusal)


def pick(qs, value, label):
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise DomainError(_("%(label)s“%(v)s”无效") % {"label": label, "v": value})
    obj = qs.filter(pk=int(value)).first()
    if obj is None:
        raise DomainError(_("%(label)s不在可选范围内") % {"label": label})
    return obj


def meeting_kwargs(post, *, orgs, people, compounds) -> dict:
    """{"title", "held_on", "convened_by", "attendees", "minutes", "decisions"}
    from the new-meeting form: DECISION_ROWS decision boxes and TASK_ROWS task
    rows, each task naming its decision by number."""
    decisions = [{"text": post.get(f"d{i}", ""), "tasks": []} for i in range(1, DECISION_ROWS + 1)]
    for r in range(TASK_ROWS):
        title = (post.get(f"t{r}_title") or "").strip()
        if not title and not post.get(f"t{r}_org") and not post.get(f"t{r}_due"):
            continue
        n = post.get(f"t{r}_decision", "1")
        if not n.isdigit() or not 1 <= int(n) <= DECISION_ROWS:
            raise DomainError(_("第%(r)s行任务的议定事项序号无效") % {"r": r + 1})
        label = _("第%(r)s行任务的") % {"r": r + 1}
        decisions[int(n) - 1]["tasks"].append(
            {
                "title": title,
                # Typed with suggestions (regions.picking, accounts.picking).
                "owner_org": org_picking.pick(orgs, post.get(f"t{r}_org"), label + _("责任单位")),
                "owner_person": person_picking.pick(
                    people, post.get(f"t{r}_person"), label + _("责任人")
                ),
                "compound": pick_compound(
                    compounds, post.get(f"t{r}_compound"), label + _("涉及小区")
                ),
                "due_on": post.get(f"t{r}_due"),
            }
        )
    for i, d in enumerate(decisions, start=1):
        if d["tasks"] and not d["text"].strip():
            raise DomainError(_("第%(i)s项议定事项有任务但没有填写内容") % {"i": i})
    attendees = []
    for v in post.getlist("attendees"):
        o = pick(orgs, v, _("参会单位"))
        if o is not None and o not in attendees:
            attendees.append(o)
    # above STREET_BOXES street offices the street offices are typed, one a box
    for i, v in enumerate(post.getlist("attendee_name"), start=1):
        o = org_picking.pick(orgs, v, _("第%(i)s个参会单位") % {"i": i})
        if o is not None and o not in attendees:
            attendees.append(o)
    return {
        "title": post.get("title", ""),
        "held_on": post.get("held_on"),
        "convened_by": pick(orgs, post.get("convened_by"), _("召集单位")),
        "attendees": attendees,
        "minutes": post.get("minutes", ""),
        "decisions": decisions,
    }
