"""Score pages: a unit's points explained, and a piece's reward explained (DOMAIN §6, §7).

Bureau staff read any unit; a liaison or unit head only their own (another unit is a 404);
other roles get a 403 (``desk.access``)."""

from dataclasses import replace
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from publicity.models import AssessmentYear, Indicator, Piece, Placement, YearStatus
from scoring.services import explain_piece, note_text, policy_lines, score_year, year_results
from scoring.stored import ensure_stored, stored_rank

from .access import BUREAU_READERS, UNIT_READERS, get_piece_for_user, require_roles, unit_for_user

SCORE_READERS = (*BUREAU_READERS, *UNIT_READERS)


@require_roles(*SCORE_READERS)
def unit_score(request, year: int, unit_id: int):
    unit = unit_for_user(request.user, unit_id)
    year_obj = get_object_or_404(AssessmentYear, year=year)
    if year_obj.is_frozen:
        result = year_results(year_obj)
        unit_count = len(result.units)
    else:
        # This unit's explanation only (its pieces, not the year's); its rank among all units comes
        # from the stored scores (scoring.stored), so the page does not grow with the year.
        result = score_year(year_obj, unit_ids=[unit.pk])
    try:
        score = result.unit(unit.pk)
    except LookupError as exc:
        raise Http404(_("该单位不在本年度考核范围内。")) from exc
    if not year_obj.is_frozen:
        row = stored_rank(year_obj, unit.pk)
        if row is None:  # the year's first view: store its scores
            ensure_stored(year_obj)
            row = stored_rank(year_obj, unit.pk) or (score.rank, 1)
        rank, unit_count = row
        score = replace(score, rank=rank)
    pieces = result.pieces
    bonus_ids = set(score.bonus_piece_ids)
    caps = per_piece_caps(score.indicators)
    indicators = []
    for ind in score.indicators:
        points = dict(ind.piece_points)
        indicators.append(
            {
                "score": ind,
                "pieces": [pieces[pid] for pid in ind.piece_ids if pid in pieces],
                "entries": [(pieces[pid], points.get(pid)) for pid in ind.piece_ids if pid in pieces],
                "caps": caps.get(ind.indicator_id, (None, None)),
            }
        )
    unit_pieces = [pieces[pid] for pid in score.piece_ids if pid in pieces]
    return render(
        request,
        "scoring/unit_score.html",
        {
            "year": year_obj,
            "unit": unit,
            "result": result,
            "score": score,
            "indicators": indicators,
            "unit_pieces": unit_pieces,
            "bonus_ids": bonus_ids,
            "policy": policy_lines(result.policy),
            "own_rewards": result.own_rewards.get(unit.pk),
            # Paid by the unit itself (seed 004 §6): shown apart, never added to the bureau's reward above.
            "own_total": sum((r.amount for r in result.own_rewards.get(unit.pk, {}).values()), Decimal("0.00")),
            "is_own_unit": request.user.unit_id == unit.pk,
            "unit_count": unit_count,
            "full_score": _unit_full_score(result, score),
            "notes": unit_notes(result, unit.pk, staff=request.user.is_bureau_staff),
            "staff": request.user.is_bureau_staff,
        },
    )


def per_piece_caps(indicators) -> dict[int, tuple]:
    """{indicator id: (monthly cap, yearly cap)} of the per-piece indicators shown: one query, none without."""
    ids = [i.indicator_id for i in indicators if i.per_piece and i.indicator_id]
    if not ids:
        return {}
    return {
        pk: (m, y) for pk, m, y in Indicator.objects.filter(pk__in=ids).values_list("pk", "monthly_cap", "yearly_cap")
    }


def unit_notes(result, unit_id: int, *, staff: bool) -> list[dict]:
    """The unit's late and duplicate pieces as scoring decided them (DOMAIN §10), in words a liaison may read;
    bureau staff also get the other units' pieces named (one query, none without a duplicate claim)."""
    notes = sorted(result.unit_notes(unit_id), key=lambda n: n.piece_id)
    others: dict[int, tuple] = {}
    wanted = {pid for n in notes for pid in n.duplicate_of}
    if staff and wanted:
        others = {
            pk: (title, unit)
            for pk, title, unit in Piece.objects.filter(pk__in=wanted).values_list("pk", "title", "unit__name")
        }
    return [
        {
            "note": n,
            "text": note_text(n),
            "others": [(pid, *others[pid]) for pid in n.duplicate_of if pid in others],
        }
        for n in notes
    ]


@require_roles(*SCORE_READERS)
def unit_score_current(request, unit_id: int):
    """The unit's page for the latest year that is not in preparation (the admin links here)."""
    unit = unit_for_user(request.user, unit_id)
    year = AssessmentYear.objects.exclude(status=YearStatus.DRAFT).order_by("-year").first()
    if year is None:
        raise Http404(_("尚无进行中或已结账的考核年度。"))
    return redirect("scoring:unit-score", year.year, unit.pk)


@require_roles(*SCORE_READERS)
def piece_reward(request, piece_id: int):
    piece = get_piece_for_user(request.user, piece_id)
    explanation = explain_piece(piece)
    reward = explanation.reward
    placements = dict(Placement.choices)
    publications = [
        {
            "reward": pub,
            "placement": placements.get(pub.placement, pub.placement),
            "rules": [explanation.rules[rid] for rid in pub.matched_rule_ids if rid in explanation.rules],
            "wins": reward.rule_id is not None and pub.publication_id == reward.publication_id,
            "paid": pub.publication_id in reward.paid_publication_ids,
        }
        for pub in reward.publications
    ]
    return render(
        request,
        "scoring/piece_reward.html",
        {
            "piece": piece,
            "reward": reward,
            "explanation": explanation,
            "publications": publications,
            "winning_rule": explanation.rules.get(reward.rule_id),
            "note_text": note_text(explanation.note) if explanation.note else "",
        },
    )


def _unit_full_score(result, score) -> str:
    """满分 beside the unit's points: the quota item's full score plus each separately scored item's (a
    reported-figure task such as 发行征订, a scored campaign), so 3.76 is never shown "out of 4.00" when 5.00 was possible."""
    full = Decimal(str((result.policy or {}).get("full_score") or 0)) if score.has_quota else Decimal("0")
    full += sum((f.full_score for f in score.figures), Decimal("0"))
    full += sum((c.full_score for c in score.campaigns), Decimal("0"))  # scored campaigns it takes part in
    return f"{full:.2f}" if full else ""
