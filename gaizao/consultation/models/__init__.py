"""consultation models, one module per sub-domain: access and participation
in participation.py, votes in votes.py. (Feedback and satisfaction moved to
gaizao.feedback, keeping their tables.)"""

from .participation import *  # noqa: F401,F403
from .votes import *  # noqa: F401,F403
