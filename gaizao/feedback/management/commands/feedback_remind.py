"""`gaizao feedback_remind`: run daily by the host (cron, systemd timer).

Confirms feedback marked fixed whose reporter has not answered "问题解决了吗?"
within N days, and lists the items past their due date per responsible
organisation, so the office can chase them (层层压实责任)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gaizao.feedback.models import Feedback
from gaizao.feedback.selectors import overdue_q
from gaizao.feedback.services import auto_confirm_days, feedback_auto_confirm


class Command(BaseCommand):
    help = "居民反馈:逾期未答复的自动确认为已解决,并列出超过办理期限的反馈"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"整改后多少天未答复视为已解决(默认 {auto_confirm_days()})",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出,不修改")

    def handle(self, *args, **opts):
        days = opts["days"] if opts["days"] is not None else auto_confirm_days()
        if days < 1:
            raise CommandError("--days 至少为 1")
        w = self.stdout.write
        if opts["dry_run"]:
            cutoff = timezone.now() - timedelta(days=days)
            n = Feedback.objects.filter(status="fixed", fixed_at__lte=cutoff).count()
            w(f"将自动确认 {n} 条(整改后 {days} 天未答复)。")
        else:
            done = feedback_auto_confirm(days=days)
            w(f"自动确认 {len(done)} 条(整改后 {days} 天未答复)。")
            for fb in done:
                w(f"  #{fb.pk} 已自动确认")
        today = timezone.localdate()
        overdue = (
            Feedback.objects.filter(overdue_q(today))
            .select_related("compound", "responsible_org")
            .order_by("responsible_org__name", "due_on")
        )
        items = list(overdue)
        w(f"超过办理期限 {len(items)} 条:")
        for fb in items:
            late = (today - fb.due_on).days
            w(
                f"  #{fb.pk} {fb.responsible_org.name} | {fb.compound.name} | {fb.get_category_display()} | "
                f"{fb.get_status_display()} | 期限 {fb.due_on} | 超期 {late} 天"
            )
