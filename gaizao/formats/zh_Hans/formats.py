# Group thousands in figures (intcomma, floatformat:"2g"): government tables
# print 1,234,567.89. Years and codes are not grouped because
# USE_THOUSAND_SEPARATOR stays off.
from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
