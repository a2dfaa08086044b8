from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from .permissions import role_permissions


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check (5 failures → 30 minutes, see settings).

    Every sign-in through the web passes the request. A call without one (Django's test
    ``Client.login``, a shell) has no client to lock out, so it is left to the next backend
    instead of raising; such calls cannot come from the network."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RoleBackend(ModelBackend):
    """Password sign-in as usual; permissions come from the user's role flags only
    (audit/permissions.py), never from permission or group rows someone could add in the DB."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = role_permissions(user_obj)
        return user_obj._role_perm_cache
