"""The demo district as an explicit, ordered list of seed steps. Each step
is an app's `demo.seed(ctx)`; later steps use what earlier ones made (the
willingness results feed the scope verdicts and the drafted plans;
stewardship's demo hands over approved plans). `gaizao demo` runs STEPS in
this order inside one transaction, then prints the logins from LOGINS."""

from gaizao.accounts import demo as accounts_demo
from gaizao.consultation import demo as consultation_demo
from gaizao.core import summaries
from gaizao.disclosure import demo as disclosure_demo
from gaizao.disclosure import facts
from gaizao.eligibility import demo as eligibility_demo
from gaizao.feedback import demo as feedback_demo
from gaizao.inventory import demo as inventory_demo
from gaizao.plans import demo as plans_demo
from gaizao.programme import demo as programme_demo
from gaizao.regions import demo as regions_demo
from gaizao.stewardship import demo as stewardship_demo
from gaizao.works import demo as works_demo

STEPS = [
    regions_demo.seed,  # the Panlong area tree
    accounts_demo.seed,  # staff users per role
    inventory_demo.seed,  # compounds, buildings, units, owners, surveys
    consultation_demo.seed,  # access codes, willingness, votes
    eligibility_demo.seed,  # scope verdicts (uses the willingness results)
    plans_demo.seed,  # drafted plans (uses verdicts and menu results)
    programme_demo.seed,  # the Panlong 2020–2021 programme (uses the reserve and plan costs)
    stewardship_demo.seed,  # long-term management after approved plans
    works_demo.seed,  # works for the approved plans, at every stage, some late
    feedback_demo.seed,  # residents' feedback, then satisfaction with approved plans
    disclosure_demo.seed,  # the one map's offline base map from the compounds
]

# Printed when the demo database already exists (no seeding).
LOGINS = [
    accounts_demo.logins,
    inventory_demo.logins,
    consultation_demo.logins,
    eligibility_demo.logins,
    plans_demo.logins,
    programme_demo.logins,
    stewardship_demo.logins,
    works_demo.logins,
    feedback_demo.logins,
]


def seed(ctx) -> None:
    # The seed steps write in bulk, around the signals that keep the
    # per-compound summary: derive it once at the end instead.
    with summaries.suspended(discard=True):
        for step in STEPS:
            step(ctx)
    facts.rebuild()


def logins(ctx) -> None:
    for step in LOGINS:
        step(ctx)
