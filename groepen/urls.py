from django.urls import path

from . import views

app_name = "groepen"

urlpatterns = [
    path("", views.groep_list, name="list"),
    path("toevoegen/", views.create, name="create"),
    path("<int:groep_id>/", views.detail, name="detail"),
    path("<int:groep_id>/naam/", views.rename, name="rename"),
    path("<int:groep_id>/gebruikers/", views.members, name="members"),
    path("<int:groep_id>/diensten/", views.choose_diensten, name="diensten"),
    path(
        "<int:groep_id>/toegestane-diensten/",
        views.toegestane_diensten,
        name="toegestane_diensten",
    ),
    path("<int:groep_id>/verwijderen/", views.delete, name="delete"),
]
