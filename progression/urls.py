from django.urls import path

from progression import views

app_name = "progression"
urlpatterns = [
    path("frameworks/", views.FrameworkListView.as_view(), name="framework-list"),
    path("frameworks/import/", views.framework_import, name="framework-import"),
    path("frameworks/<int:pk>/", views.FrameworkDetailView.as_view(), name="framework-detail"),
    path("frameworks/<int:pk>/edit/", views.FrameworkEditView.as_view(), name="framework-edit"),
    path("frameworks/<int:pk>/new-version/", views.framework_new_version, name="framework-new-version"),
    path("frameworks/<int:pk>/publish/", views.framework_publish, name="framework-publish"),
    path("frameworks/<int:pk>/retire/", views.framework_retire, name="framework-retire"),
    path("frameworks/<int:pk>/export/", views.framework_export, name="framework-export"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/waiting/", views.WaitingListView.as_view(), name="case-waiting"),
    path("cases/new/", views.CaseOpenView.as_view(), name="case-open"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:pk>/take-up/", views.case_take_up, name="case-take-up"),
    path("cases/<int:pk>/competencies/<int:competency>/", views.CompetencyView.as_view(), name="case-competency"),
    path("cases/<int:pk>/evidence/new/", views.EvidenceAddView.as_view(), name="evidence-add"),
    path("cases/<int:pk>/evidence/<int:evidence>/file/", views.evidence_file, name="evidence-file"),
    path("cases/<int:pk>/submit/", views.case_submit, name="case-submit"),
    path("cases/<int:pk>/decide/", views.DecideView.as_view(), name="case-decide"),
    path("cases/<int:pk>/hr/", views.HrRecordView.as_view(), name="case-hr"),
    path("cases/<int:pk>/told/", views.ToldView.as_view(), name="case-told"),
    path("cases/<int:pk>/confirm/", views.case_confirm, name="case-confirm"),
    path("cases/<int:pk>/letter/", views.case_letter, name="case-letter"),
    path("cases/<int:pk>/pack/", views.pack_request, name="pack-request"),
    path("packs/<int:pk>/", views.PackDetailView.as_view(), name="pack-detail"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack-download"),
    path("letter-template/", views.LetterTemplateView.as_view(), name="letter-template"),
]
