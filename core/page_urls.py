from django.contrib.auth import views as auth_views
from django.urls import path

from core import views, views_branch, views_info, views_partners, views_privacy
from core.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("bibliotek/<slug:slug>/", views.branch_detail, name="branch-detail"),
    path("tilgaengelighed/", views_info.accessibility, name="accessibility"),
    path("privatliv/", views_info.privacy_notice, name="privacy-notice"),
    path("hjaelp/", views_info.help_page, name="help"),
    path("min-side/", views.my_page, name="my-page"),
    path("min-side/mine-data/", views_privacy.my_data_export, name="my-data-export"),
    path("min-side/slet-konto/", views_privacy.account_delete, name="account-delete"),
    path("personale/", views.staff_home, name="staff-home"),
    path("personale/bibliotek/", views_branch.index, name="branch-settings-index"),
    path("personale/bibliotek/<slug:slug>/", views_branch.overview, name="branch-settings"),
    path(
        "personale/bibliotek/<slug:slug>/aabningstider/",
        views_branch.hours_edit,
        name="branch-hours-edit",
    ),
    path(
        "personale/bibliotek/<slug:slug>/lukninger/ny/",
        views_branch.closure_add,
        name="branch-closure-add",
    ),
    path(
        "personale/bibliotek/<slug:slug>/lukninger/<int:pk>/fjern/",
        views_branch.closure_remove,
        name="branch-closure-remove",
    ),
    path(
        "personale/bibliotek/<slug:slug>/stop/ny/", views_branch.stop_edit, name="branch-stop-add"
    ),
    path(
        "personale/bibliotek/<slug:slug>/stop/<int:pk>/",
        views_branch.stop_edit,
        name="branch-stop-edit",
    ),
    path(
        "personale/bibliotek/<slug:slug>/stop/<int:pk>/fjern/",
        views_branch.stop_remove,
        name="branch-stop-remove",
    ),
    path("personale/partnere/", views_partners.partner_list, name="partner-list"),
    path("personale/partnere/ny/", views_partners.partner_edit, name="partner-new"),
    path("personale/partnere/<int:pk>/", views_partners.partner_edit, name="partner-edit"),
    path(
        "personale/partnere/<int:pk>/forbindelser/",
        views_partners.partner_link,
        name="partner-link",
    ),
    path("konto/opret/", views.signup, name="signup"),
    path("konto/opret/sendt/", views.signup_sent, name="signup-sent"),
    path("konto/bekraeft/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path(
        "min-side/api-noegler/<int:pk>/tilbagekald/",
        views.api_token_revoke,
        name="api-token-revoke",
    ),
    path(
        "konto/log-ind/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("konto/log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/nulstil/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "konto/nulstil/sendt/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "konto/nulstil/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "konto/nulstil/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
