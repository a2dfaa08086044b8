"""What publicity announces to the floors above it (which it may not import).

``counted_changed`` — the set of counted (approved) pieces of a year may have changed: sent by the
services inside their transaction, after the write, with the pieces concerned. Scoring keeps its stored
scores current from it (scoring.stored), in the same transaction.

``rules_changed`` — a year's indicators, targets or other scoring data changed (sent by model signals of
those tables, see scoring.stored): every unit of the year must be rescored.
"""

from django.dispatch import Signal

counted_changed = Signal()  # kwargs: year_id, piece_ids
