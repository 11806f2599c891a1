"""Money and quantity formatting for plan pages: the filters of
gaizao.core.templatetags.gz_numbers under the plans pages' old tag-library name."""

from django import template

from gaizao.core.templatetags import gz_numbers

register = template.Library()
register.filter("money", gz_numbers.money)
register.filter("num0", gz_numbers.num0)
register.filter("qty", gz_numbers.qty)
register.filter("yuan", gz_numbers.yuan)
