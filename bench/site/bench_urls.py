"""gaizao's URLs plus the two baselines bench/throughput.py measures every
page against, in the same run: a view returning "ok" (the ceiling of the
stack) and a naive Django ListView of the same 50 compounds the list shows."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.generic import ListView

from gaizao.inventory.models import Compound

NAIVE = engines["django"].from_string(
    "<table>{% for c in object_list %}<tr><td>{{ c.name }}</td><td>{{ c.street.name }}</td>"
    "<td>{{ c.community.name }}</td><td>{{ c.built_year }}</td><td>{{ c.households }}</td>"
    "<td>{{ c.floor_area }}</td></tr>{% endfor %}</table>"
)


def ok(request):
    return HttpResponse("ok")


class NaiveList(LoginRequiredMixin, ListView):
    model = Compound
    paginate_by = 50
    ordering = ["street__code", "name"]

    def get_queryset(self):
        return super().get_queryset().select_related("street", "community")

    def render_to_response(self, context, **kw):
        return HttpResponse(NAIVE.render(context, self.request))


urlpatterns = [
    path("bench/ok", ok),
    path("bench/naive", NaiveList.as_view()),
    path("", include("gaizao.urls")),
]
