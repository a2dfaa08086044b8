"""A unit's own reward schedule (seed 004 §6: 局属各单位、各县区可根据本单位实际,制定各自的奖励标准,奖励资金自筹).

The schedule is a ``RewardSchedule`` whose ``owner_unit`` is the unit: edited here by that unit's head or
liaison only — not by the bureau, which funds none of it — and priced by the same rules engine as the
bureau's (``scoring.services.score_year`` puts it in ``YearScore.own_rewards``, apart from the bureau's
figures). A closed year accepts no change; every write is audited (model signals, audit.recorder).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from publicity.models import AssessmentYear, Outlet, PieceKind, Placement
from publicity.services import ensure_year_editable
from units.models import Unit, User
from units.text import clean_text

from .models import AuthorSplit, Payout, RewardRule, RewardSchedule
from .rules import PersonReward, PieceReward, money, people_rewards
from .services import score_year, year_results

MAX_AMOUNT = Decimal("1000000")


def can_edit(user: User | None, unit: Unit) -> bool:
    """The unit's own head or liaison (``None``: a management command)."""
    if user is None:
        return True
    return bool(user.unit_id == unit.pk and (user.is_liaison or user.is_unit_head))


def ensure_can_edit(user: User | None, unit: Unit) -> None:
    if not can_edit(user, unit):
        raise PermissionDenied(_("本单位自筹奖励标准只能由本单位负责人或联络员修改。"))


def schedule_of(unit: Unit, year: AssessmentYear) -> RewardSchedule | None:
    return RewardSchedule.objects.filter(year=year, owner_unit=unit).first()


@transaction.atomic
def own_schedule_save(
    *, actor: User | None, unit: Unit, year: AssessmentYear, name: str, payout: str, top_n=2
) -> RewardSchedule:
    """Create the unit's schedule for the year, or change its name and 一稿多投 choice."""
    ensure_can_edit(actor, unit)
    ensure_year_editable(year, lock=True)
    errors: dict[str, list[str]] = {}
    try:
        name = clean_text(name, field="name", label=_("名称"), required=True)
        if len(name) > 100:
            raise ValidationError({"name": _("名称不能超过100字。")})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if payout not in Payout.values:
        errors["payout"] = [_("一稿多投奖励方式“%(value)s”无效。") % {"value": payout}]
    try:
        top_n = int(top_n)
        if not 1 <= top_n <= 10:
            raise ValueError
    except (TypeError, ValueError):
        errors["top_n"] = [_("N须是1到10之间的整数。")]
    if errors:
        raise ValidationError(errors)
    schedule = RewardSchedule.objects.select_for_update().filter(year=year, owner_unit=unit).first()
    if schedule is None:
        schedule = RewardSchedule(year=year, owner_unit=unit, author_split=AuthorSplit.EQUAL)
    schedule.name, schedule.payout, schedule.top_n = name, payout, top_n
    schedule.full_clean(exclude=["year", "owner_unit"])
    schedule.save()
    return schedule


@dataclass(frozen=True)
class RuleInput:
    outlets: list[Outlet]
    amount: object
    kinds: list[str] = ()
    placement: str = ""
    min_characters: object = None
    note: str = ""


def _clean_rule(data: RuleInput) -> dict:
    errors: dict[str, list[str]] = {}
    if not data.outlets:
        errors["outlets"] = [_("请至少选择一家媒体。")]
    kinds = list(data.kinds or ())
    bad = [k for k in kinds if k not in PieceKind.values]
    if bad:
        errors["kinds"] = [_("稿件类型“%(kind)s”无效。") % {"kind": bad[0]}]
    if data.placement not in ("", *Placement.values):
        errors["placement"] = [_("版面位置“%(value)s”无效。") % {"value": data.placement}]
    amount = None
    try:
        amount = Decimal(str(data.amount).strip())
        if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != money(amount):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["amount"] = [
            _("奖励金额“%(value)s”无效:须大于0、不超过%(max)s元,最多两位小数。")
            % {"value": data.amount, "max": MAX_AMOUNT}
        ]
    minimum = None
    if data.min_characters not in (None, ""):
        try:
            minimum = int(str(data.min_characters).strip())
            if minimum < 1 or minimum > 1_000_000:
                raise ValueError
        except (TypeError, ValueError):
            errors["min_characters"] = [
                _("最少字数“%(value)s”无效,须是1到1000000之间的整数。") % {"value": data.min_characters}
            ]
    try:
        note = clean_text(data.note, field="note", label=_("说明"))
        if len(note) > 200:
            raise ValidationError({"note": _("说明不能超过200字。")})
    except ValidationError as exc:
        errors.update(exc.message_dict)
        note = ""
    if errors:
        raise ValidationError(errors)
    return {"kinds": kinds, "placement": data.placement, "min_characters": minimum, "amount": amount, "note": note}


@transaction.atomic
def own_rule_save(
    *, actor: User | None, schedule: RewardSchedule, data: RuleInput, rule: RewardRule | None = None
) -> RewardRule:
    """Add a rule to the unit's schedule, or change one of its rules."""
    if schedule.owner_unit_id is None:
        raise PermissionDenied(_("市局奖励标准不在此修改。"))
    ensure_can_edit(actor, schedule.owner_unit)
    ensure_year_editable(schedule.year, lock=True)
    if rule is not None and rule.schedule_id != schedule.pk:
        raise PermissionDenied(_("该奖励规则不属于本单位的奖励标准。"))
    fields = _clean_rule(data)
    if rule is None:
        last = schedule.rules.order_by("-order").values_list("order", flat=True).first() or 0
        rule = RewardRule(schedule=schedule, order=last + 10)
    for key, value in fields.items():
        setattr(rule, key, value)
    rule.full_clean(exclude=["schedule"])
    rule.save()
    rule.outlets.set(data.outlets)
    return rule


@transaction.atomic
def own_rule_delete(*, actor: User | None, rule: RewardRule) -> None:
    schedule = rule.schedule
    if schedule.owner_unit_id is None:
        raise PermissionDenied(_("市局奖励标准不在此修改。"))
    ensure_can_edit(actor, schedule.owner_unit)
    ensure_year_editable(schedule.year, lock=True)
    rule.delete()


@dataclass(frozen=True)
class OwnRewards:
    """What the unit pays under its own schedule: per piece and per person, and the total (apart from the
    bureau's rewards)."""

    pieces: list[PieceReward]
    people: list[PersonReward]
    total: Decimal


def own_rewards(year: AssessmentYear, unit: Unit) -> OwnRewards:
    """The unit's approved pieces priced under its own schedule: a closed year reads its snapshot."""
    result = year_results(year) if year.is_frozen else score_year(year, unit_ids=[unit.pk])
    pieces = list(result.own_rewards.get(unit.pk, {}).values())
    # Only people with something to be paid: a piece no own rule prices is listed, its author is not.
    people = [p for p in people_rewards(pieces, {unit.pk: unit.name}) if p.reward]
    return OwnRewards(pieces, people, money(sum((p.amount for p in pieces), Decimal("0"))))
