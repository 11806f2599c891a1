"""Who may see the dashboard (领导驾驶舱) and the report: the area roles that
run the programme. The public portal and open data need no login and show
no personal data (docs/disclosure.md)."""

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import can

R = Role
RULES: dict[str, set] = {
    "dashboard.view": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE},
    "report.view": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE},
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)
