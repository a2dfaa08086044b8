from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("password/", views.password_change, name="password-change"),
]
