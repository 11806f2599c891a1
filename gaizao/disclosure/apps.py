from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DisclosureConfig(AppConfig):
    """信息公开: the leadership dashboard, the public portal, open data,
    notices and the statistical report (issue 11). Its only writes are the
    kept per-compound summary (`CompoundFacts`), re-derived whenever a record
    below changes (disclosure.facts, gaizao.core.summaries)."""

    name = "gaizao.disclosure"
    label = "disclosure"
    verbose_name = "信息公开"

    def ready(self):
        from . import facts

        facts.connect()

        # The programme's progress against batch targets counts started and
        # completed works from the kept summary; programme sits below and
        # asks through a hook (programme.progress).
        from gaizao.programme.progress import register_works_flags

        register_works_flags(facts.progress_flags)

        # The reserve's cards add up the kept per-street tallies; eligibility
        # sits below and asks through a hook.
        from gaizao.eligibility.selectors import register_kept_tallies

        from . import tally

        register_kept_tallies(tally.for_user)

        # The compound list pages by the kept per-street counts (inventory
        # sits below: inventory.streetwalk).
        from gaizao.inventory import streetwalk

        streetwalk.register(tally.street_counts)
        post_migrate.connect(facts.first_fill, sender=self, dispatch_uid="facts-first-fill")
