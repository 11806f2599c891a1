"""consultation models, one module per sub-domain (access and participation
in participation.py and votes.py; feedback and satisfaction in feedback.py)."""

from .feedback import *  # noqa: F401,F403
from .participation import *  # noqa: F401,F403
from .votes import *  # noqa: F401,F403
