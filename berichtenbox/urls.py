from django.urls import path

from . import views

app_name = "berichtenbox"

urlpatterns = [
    path("", views.berichten, name="list"),
    path("<int:bericht_id>/", views.bericht, name="detail"),
]
