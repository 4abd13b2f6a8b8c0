from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("konto/bibliotekslogin/", views.library_login_start, name="library-login"),
    path("konto/bibliotekslogin/svar/", views.library_callback, name="library-callback"),
    path("konto/bibliotekslogin/ny-konto/", views.library_signup, name="library-signup"),
    path(
        "konto/bibliotekslogin/ny-konto/sendt/",
        views.library_signup_sent,
        name="library-signup-sent",
    ),
    path(
        "konto/bibliotekslogin/bekraeft/<str:token>/",
        views.library_signup_confirm,
        name="library-signup-confirm",
    ),
    path("min-side/bibliotekslogin/", views.library_link_start, name="library-link"),
    path("min-side/bibliotekslogin/fjern/", views.library_unlink, name="library-unlink"),
    path("konto/personale-login/", views.staff_login_start, name="staff-login"),
    path("konto/personale-login/svar/", views.staff_callback, name="staff-callback"),
]
