"""Prometheus metrics (to be built)."""

from django.http import HttpResponse


def view(request):
    return HttpResponse(status=404)
