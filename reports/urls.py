from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_page, name="year"),
    path("<int:year>/workbook.xlsx", views.year_workbook, name="year-workbook"),
    path("<int:year>/results.pdf", views.year_pdf, name="year-pdf"),
    path("<int:year>/workbook/start/", views.year_workbook_start, name="year-workbook-start"),
    path("<int:year>/results/start/", views.year_pdf_start, name="year-pdf-start"),
    path("<int:year>/circular/", views.circular_page, name="circular"),
    path("<int:year>/circular/<int:month>.xlsx", views.circular_file, {"fmt": "xlsx"}, name="circular-xlsx"),
    path("<int:year>/circular/<int:month>.pdf", views.circular_file, {"fmt": "pdf"}, name="circular-pdf"),
    path("<int:year>/certificates/", views.certificates, name="certificates"),
]
