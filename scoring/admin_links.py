"""Links from the admin's piece and unit lists to the score pages (no query per row)."""

from django.urls import reverse
from django.utils.html import format_html


def piece_reward_link(obj):
    return format_html('<a href="{}">奖励说明</a>', reverse("scoring:piece-reward", args=[obj.pk]))


piece_reward_link.short_description = "奖励"


def unit_score_link(obj):
    return format_html('<a href="{}">考核得分</a>', reverse("scoring:unit-score-current", args=[obj.pk]))


unit_score_link.short_description = "得分"
