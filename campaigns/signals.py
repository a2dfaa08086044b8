"""What campaigns announces to the floors above it (which it may not import).

``campaign_files_changed`` — a unit's deliverables for a scored campaign changed (an upload or a deletion):
sent inside the service's transaction; scoring keeps those units' stored scores current from it
(scoring.stored), as it does for reported figures.
"""

from django.dispatch import Signal

campaign_files_changed = Signal()  # kwargs: year_id, unit_ids
