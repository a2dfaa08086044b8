"""What figures announces to the floors above it (which it may not import).

``figures_changed`` — the approved figure of some units for a scored task changed (a review): sent inside
the service's transaction; scoring keeps those units' stored scores current from it (scoring.stored).
"""

from django.dispatch import Signal

figures_changed = Signal()  # kwargs: year_id, unit_ids
