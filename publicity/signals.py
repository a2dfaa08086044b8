"""What publicity announces to the floors above it (which it may not import).

``counted_changed`` — the set of counted (approved) pieces of a year may have changed: sent by the
services inside their transaction, after the write, with the pieces concerned. Scoring keeps its stored
scores current from it (scoring.stored), in the same transaction.

``rules_changed`` — a year's indicators, targets or other scoring data changed: every unit of the year
must be rescored. Model signals of those tables say it for plain saves and deletes (scoring.stored
listens to them); the services that write them in bulk (``bulk_create``/``bulk_update`` send no model
signals) send this one, inside their transaction.
"""

from django.dispatch import Signal

counted_changed = Signal()  # kwargs: year_id, piece_ids
rules_changed = Signal()  # kwargs: year_id
