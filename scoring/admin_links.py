"""Links from the admin's piece and unit lists to the score pages (no query per row)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def piece_reward_link(obj):
    return format_html('<a href="{}">{}</a>', reverse("scoring:piece-reward", args=[obj.pk]), _("奖励说明"))


piece_reward_link.short_description = gettext_lazy("奖励")


def unit_score_link(obj):
    return format_html('<a href="{}">{}</a>', reverse("scoring:unit-score-current", args=[obj.pk]), _("考核得分"))


unit_score_link.short_description = gettext_lazy("得分")
