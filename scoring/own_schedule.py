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

from .models import AuthorSplit, AuthorWeight, Payout, RewardRule, RewardSchedule
from .rules import PersonReward, PieceReward, money, people_rewards
from .services import score_year, year_results

MAX_AMOUNT = Decimal("1000000")
MAX_WEIGHTS = 10  # authors beyond the list take the last weight (scoring.rules.author_weights)
MAX_WEIGHT = Decimal("9999.99")  # AuthorWeight.weight: 6 digits, 2 decimals


def can_edit(user: User | None, unit: Unit) -> bool:
    """The unit's own head or liaison (``None``: a management command)."""
    if user is None:
        return True
    return bool(user.unit_id == unit.pk and (user.is_liaison or user.is_unit_head))


def ensure_can_edit(user: User | None, unit: Unit) -> None:
    if not can_edit(user, unit):
        raise PermissionDenied(_("本单位自筹奖励标准只能由本单位负责人或联络员修改。"))


def may_keep(unit: Unit) -> bool:
    """Whether the unit's kind funds its own rewards (``UnitKind.funds_own_rewards``, data: the 2011 preset
    sets it for county bureaus and affiliated units, seed 004 §6, not for the bureau's own departments)."""
    return bool(unit.kind.funds_own_rewards)


def refusal(unit: Unit) -> str:
    return _(
        "“%(kind)s”类单位不自筹奖励资金,不能制定本单位奖励标准,稿件奖励按市局标准发放。"
        "如需开通,请市局管理员在“单位类型”中为“%(kind)s”勾选“可自筹奖励”。"
    ) % {"kind": unit.kind.name}


def ensure_may_keep(unit: Unit) -> None:
    if not may_keep(unit):
        raise ValidationError(refusal(unit), code="kind")


def parse_weights(text) -> list[Decimal]:
    """``0.5, 0.3, 0.2`` (commas, 、, or spaces) → weights for the 1st, 2nd, 3rd … author, each above 0 with at
    most two decimals; a Chinese error names the bad one."""
    import re

    parts = [p for p in re.split(r"[\s,，、;；]+", str(text or "").strip()) if p]
    if not parts:
        raise ValidationError({"weights": _("按署名顺序权重分配时,请至少填写第1作者的权重。")})
    if len(parts) > MAX_WEIGHTS:
        raise ValidationError(
            {"weights": _("作者权重最多填写%(n)s个(之后的作者按最后一个权重)。") % {"n": MAX_WEIGHTS}}
        )
    weights = []
    for position, part in enumerate(parts, 1):
        try:
            weight = Decimal(part)
            if (
                not weight.is_finite()
                or weight <= 0
                or weight > MAX_WEIGHT
                or weight != weight.quantize(Decimal("0.01"))
            ):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValidationError(
                {
                    "weights": _("第%(position)s作者的权重“%(value)s”无效:须大于0、不超过%(max)s,最多两位小数。")
                    % {"position": position, "value": part, "max": MAX_WEIGHT}
                }
            ) from None
        weights.append(weight.quantize(Decimal("0.01")))
    return weights


def weights_of(schedule: RewardSchedule | None) -> list[Decimal]:
    if schedule is None or schedule.author_split != AuthorSplit.WEIGHTS:
        return []
    return list(schedule.author_weights.order_by("position").values_list("weight", flat=True))


def schedule_of(unit: Unit, year: AssessmentYear) -> RewardSchedule | None:
    return RewardSchedule.objects.filter(year=year, owner_unit=unit).first()


@transaction.atomic
def own_schedule_save(
    *,
    actor: User | None,
    unit: Unit,
    year: AssessmentYear,
    name: str,
    payout: str,
    top_n=2,
    author_split: str = AuthorSplit.EQUAL,
    weights="",
) -> RewardSchedule:
    """Create the unit's schedule for the year, or change its name, 一稿多投 choice and author split (equal, or
    by weights in byline order, stored as the bureau's are: ``AuthorWeight`` rows)."""
    ensure_can_edit(actor, unit)
    ensure_may_keep(unit)
    ensure_year_editable(year, lock=True)
    errors: dict[str, list[str]] = {}
    parsed: list[Decimal] = []
    if author_split not in AuthorSplit.values:
        errors["author_split"] = [_("作者分配方式“%(value)s”无效。") % {"value": author_split}]
    elif author_split == AuthorSplit.WEIGHTS:
        try:
            parsed = parse_weights(weights)
        except ValidationError as exc:
            errors.update(exc.message_dict)
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
    schedule.author_split = author_split
    schedule.full_clean(exclude=["year", "owner_unit"])
    schedule.save()
    stored = list(schedule.author_weights.order_by("position").values_list("weight", flat=True))
    if stored != parsed:  # unchanged weights: no rows rewritten, nothing in the audit trail
        schedule.author_weights.all().delete()
        for position, weight in enumerate(parsed, 1):  # one by one: each row reaches the audit trail
            AuthorWeight.objects.create(schedule=schedule, position=position, weight=weight)
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
    ensure_may_keep(schedule.owner_unit)
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

    @property
    def paid_count(self) -> int:
        """Pieces with money under the schedule (QA: 35 were counted as 获奖 while 8 of them got 0.00)."""
        return sum(1 for p in self.pieces if p.amount)


def own_rewards(year: AssessmentYear, unit: Unit) -> OwnRewards:
    """The unit's approved pieces priced under its own schedule: a closed year reads its snapshot."""
    result = year_results(year) if year.is_frozen else score_year(year, unit_ids=[unit.pk])
    pieces = list(result.own_rewards.get(unit.pk, {}).values())
    # Only people with something to be paid: a piece no own rule prices is listed, its author is not.
    people = [p for p in people_rewards(pieces, {unit.pk: unit.name}) if p.reward]
    return OwnRewards(pieces, people, money(sum((p.amount for p in pieces), Decimal("0"))))
