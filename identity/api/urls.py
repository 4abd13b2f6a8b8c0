from django.urls import path

from identity.api import views

urlpatterns = [
    path("auth/session-token/", views.SessionTokenApi.as_view(), name="api-session-token"),
]
