"""``django.contrib.admin`` with Mødested's site (administrators only): see core.admin_site.

A module of its own because ``INSTALLED_APPS`` imports it before the models are ready."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "core.admin_site.AdministratorsAdminSite"
