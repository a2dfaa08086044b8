from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView

from desk import home as desk_home
from desk import urls as desk_urls
from ops import views as ops_views


class FaviconRedirect(RedirectView):
    """/favicon.ico (asked for by browsers on their own) → the SVG icon. The URL is resolved per request:
    with the hashed static storage it is only known once collectstatic has run."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


admin.site.site_header = gettext_lazy("宣传任务分配与积分管理系统")
admin.site.site_title = gettext_lazy("宣传积分管理")
admin.site.index_title = gettext_lazy("后台管理")

urlpatterns = [
    path("", desk_home.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("p/", include(desk_urls.publicity_patterns)),
    path("s/", include(desk_urls.scoring_patterns)),
    path("audit/", include(desk_urls.audit_patterns)),
    path("healthz", ops_views.healthz, name="healthz"),
    path("favicon.ico", FaviconRedirect.as_view()),
    path("r/", include(desk_urls.reports_patterns)),
    path("jobs/", include(desk_urls.jobs_patterns)),
    path("w/", include(desk_urls.website_patterns)),
    path("f/", include(desk_urls.figures_patterns)),
    path("c/", include(desk_urls.campaign_patterns)),
    path("o/", include(desk_urls.own_rewards_patterns)),
    path("b/", include(desk_urls.console_patterns)),
]
