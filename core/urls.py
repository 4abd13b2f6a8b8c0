from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views, views_info

# Each app adds its API under /api/ and its pages at the root; the order is the dependency order.
APPS = ["core", "identity", "rooms", "events", "volunteers", "notifications", "plans"]

# A database connection lost outside a view is a 503 "try again", never a bare 500.
handler500 = "core.db_unavailable.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's static files; the split view serves its start
    # script as a file (?script=), and our template links its few styles: no inline code.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="core/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    # Uploaded event images (public, resized on upload), also without DEBUG: a small site
    # serves them itself; a proxy in front may serve MEDIA_ROOT/events/ directly instead.
    re_path(r"^media/(?P<path>events/[^/]+)$", views_info.public_media, name="public-media"),
]
urlpatterns += [path("api/", include(f"{app}.api.urls")) for app in APPS]
urlpatterns += [path("", include("core.page_urls"))]
urlpatterns += [path("", include(f"{app}.urls")) for app in APPS[1:]]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
