from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("<int:year>/units/<int:unit_id>/", views.unit_score, name="unit-score"),
    path("units/<int:unit_id>/", views.unit_score_current, name="unit-score-current"),
    path("pieces/<int:piece_id>/", views.piece_reward, name="piece-reward"),
]
