"""consultation models, one module per sub-domain: access and participation
in participation.py, votes in votes.py, the adopted owners meeting rules
that bear on votes in meeting_rules.py. (Feedback and satisfaction moved to
gaizao.feedback, keeping their tables.)"""

from .meeting_rules import *  # noqa: F401,F403,E402
from .participation import *  # noqa: F401,F403
from .votes import *  # noqa: F401,F403
