from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("v1/ketenmachtigingen/check", views.check, name="check"),
    path(
        "v1/ketenmachtigingen/vertegenwoordigden",
        views.vertegenwoordigden,
        name="vertegenwoordigden",
    ),
    path("health", views.health, name="health"),
    path("schema/", views.schema, name="schema"),
    path("docs/", views.docs, name="docs"),
]
