"""The resident portal's "我的反映" card asks this app how many of the
resident's items wait for their answer ("问题解决了吗?"). A template tag,
so that consultation (below feedback in the layers) renders the portal
without importing this app."""

from django import template

from gaizao.feedback.selectors import awaiting_my_answer

register = template.Library()


@register.simple_tag
def feedback_awaiting_answer(user) -> int:
    return awaiting_my_answer(user).count()
