from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ops import views as ops_views
from publicity import views as publicity_views

admin.site.site_header = "宣传任务分配与积分管理系统"
admin.site.site_title = "宣传积分管理"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", publicity_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("p/", include("publicity.urls")),
    path("s/", include("scoring.urls")),
    path("audit/", include("audit.urls")),
    path("healthz", ops_views.healthz, name="healthz"),
    path("r/", include("reports.urls")),
]
