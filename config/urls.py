from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from ops import views as ops_views

admin.site.site_header = "宣传任务分配与积分管理系统"
admin.site.site_title = "宣传积分管理"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("p/", include("publicity.urls")),
    path("s/", include("scoring.urls")),
    path("audit/", include("audit.urls")),
    path("healthz", ops_views.healthz, name="healthz"),
    path("r/", include("reports.urls")),
]
