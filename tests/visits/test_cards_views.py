import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.models import Feedback
from cases.selectors import feedback_channel_public_url
from cases.services import feedback_channel_street_wide
from lucun.models import Role
from tests.factories import official
from tests.visits.factories import VisitTeamFactory, card_batch, feedback_point
from tests.visits.qr import decode_pdf_page, needs_poppler
from visits import services
from visits.models import ContactCardBatch, DeactivationReason, FeedbackPoint, PrintJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(street):
    return VisitTeamFactory(street=street, name="第一走访队")


@pytest.fixture
def batch(community, cadre, team):
    return card_batch(community=community, team=team, actor=cadre, quantity=30)


@pytest.fixture
def cadre_client(client, cadre):
    client.force_login(cadre)
    return client


def test_the_overview_counts_cards_and_posters_in_use_per_community(
    client, street_leader, community, other_community, team
):
    card_batch(community=community, team=team, quantity=300)
    lost = card_batch(community=community, team=team, quantity=200)
    services.card_batch_deactivate(actor=None, batch=lost, reason=DeactivationReason.LOST)
    feedback_point(community=community)
    client.force_login(street_leader)
    response = client.get(reverse("visits:card_index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="total-cards">300<' in html and 'data-testid="total-posters">1<' in html


def test_a_cadre_of_one_community_goes_straight_to_its_cards(cadre_client, community):
    response = cadre_client.get(reverse("visits:card_index"))
    assert response.url == reverse("visits:card_batches", args=[community.pk])


def test_the_batch_list_pins_its_queries_whatever_the_number_of_batches(
    cadre_client, community, team, django_assert_max_num_queries
):
    card_batch(community=community, team=team)
    url = reverse("visits:card_batches", args=[community.pk])
    with django_assert_max_num_queries(9) as few:
        cadre_client.get(url)
    for _i in range(6):
        card_batch(community=community, team=team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cadre_client.get(url)
    assert response.content.decode().count("第7批") == 1


def test_the_poster_list_pins_its_queries(cadre_client, community, django_assert_max_num_queries):
    feedback_point(community=community, name="文化广场")
    url = reverse("visits:feedback_points", args=[community.pk])
    with django_assert_max_num_queries(9) as few:
        cadre_client.get(url)
    for i in range(5):
        feedback_point(community=community, name=f"超市门口{i}", place="shop")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cadre_client.get(url)
    assert "超市门口4" in response.content.decode()


def test_a_cadre_registers_a_batch_from_the_form(cadre_client, community, team):
    url = reverse("visits:card_batch_create", args=[community.pk])
    form = cadre_client.get(url)
    assert form.status_code == 200 and "0533-6960000" in form.content.decode()  # the street hotline, filled in
    data = {
        "team": team.pk,
        "quantity": 800,
        "contact_name": "李书记",
        "contact_phone": "13900001111",
        "contact_wechat": "li_shuji01",
        "hotline": "0533-6960000",
    }
    response = cadre_client.post(url, data)
    batch = ContactCardBatch.objects.get()
    assert response.url == batch.get_absolute_url() and batch.quantity == 800


def test_a_bad_wechat_id_shows_a_chinese_error_and_writes_nothing(cadre_client, community, team):
    data = {"team": team.pk, "quantity": 8, "contact_name": "李", "contact_phone": "13900001111", "hotline": "1"}
    response = cadre_client.post(
        reverse("visits:card_batch_create", args=[community.pk]), data | {"contact_wechat": "微信号"}
    )
    assert response.status_code == 400 and "微信号应为" in response.content.decode()
    assert not ContactCardBatch.objects.exists()


def test_a_grid_worker_sees_the_cards_but_cannot_register_or_stop_them(client, community, batch):
    client.force_login(official(Role.GRID_WORKER, community=community))
    assert client.get(reverse("visits:card_batches", args=[community.pk])).status_code == 200
    assert client.get(reverse("visits:card_batch_create", args=[community.pk])).status_code == 403
    deactivate = reverse("visits:card_batch_deactivate", args=[batch.pk])
    assert client.post(deactivate, {"reason": "lost"}).status_code == 403
    assert client.post(reverse("visits:print_job_start", args=[batch.pk])).status_code == 403


def test_everything_of_another_community_is_not_found(client, other_cadre, community, batch, cadre, settings):
    settings.LUCUN_PUBLIC_BASE_URL = "https://lucun.example.gov.cn"
    point = feedback_point(community=community)
    job = services.print_job_create(actor=cadre, batch=batch, address="https://lucun.example.gov.cn/f/x/")
    client.force_login(other_cadre)
    urls = [
        reverse("visits:card_batches", args=[community.pk]),
        reverse("visits:feedback_points", args=[community.pk]),
        reverse("visits:card_batch_create", args=[community.pk]),
        reverse("visits:feedback_point_create", args=[community.pk]),
        reverse("visits:card_batch_detail", args=[batch.pk]),
        reverse("visits:print_job_progress", args=[job.pk]),
        reverse("visits:print_job_download", args=[job.pk]),
        reverse("visits:feedback_point_pdf", args=[point.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("visits:card_batch_deactivate", args=[batch.pk]),
        reverse("visits:print_job_start", args=[batch.pk]),
        reverse("visits:feedback_point_deactivate", args=[point.pk]),
    ):
        assert client.post(url, {"reason": "lost"}).status_code == 404, url
    assert ContactCardBatch.objects.get().is_active and PrintJob.objects.count() == 1
    assert "芦湖村" not in client.get(reverse("visits:card_index")).content.decode()


def test_the_pages_ask_for_a_login(client, batch):
    response = client.get(reverse("visits:card_batch_detail", args=[batch.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_printing_from_the_page_shows_progress_and_offers_the_file(
    cadre_client, batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = cadre_client.post(reverse("visits:print_job_start", args=[batch.pk]))
    assert response.url == batch.get_absolute_url()
    job = PrintJob.objects.get()
    assert job.address == f"http://testserver/f/{batch.channel.token}/"  # absolute, from the request's host
    progress = cadre_client.get(reverse("visits:print_job_progress", args=[job.pk])).json()
    download = reverse("visits:print_job_download", args=[job.pk])
    assert progress == {
        "state": "done",
        "state_label": "已完成",
        "done": 3,
        "total": 3,
        "percent": 100,
        "text": "已完成 · 3 / 3 页",
        "download_url": download,
        "error": "",
    }
    pdf = cadre_client.get(download)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="{job.download_name}"'


def test_a_running_job_is_followed_by_the_static_script_not_an_inline_one(cadre_client, batch, cadre):
    job = services.print_job_create(actor=cadre, batch=batch, address="https://lucun.example.gov.cn/f/x/")
    html = cadre_client.get(batch.get_absolute_url()).content.decode()
    assert f'data-progress-url="{reverse("visits:print_job_progress", args=[job.pk])}"' in html
    assert "js/job-progress.js" in html and "visits/print-progress" not in html and "<script>" not in html
    progress = cadre_client.get(reverse("visits:print_job_progress", args=[job.pk])).json()
    assert progress["state"] == "queued" and progress["download_url"] == ""
    assert cadre_client.get(reverse("visits:print_job_download", args=[job.pk])).status_code == 404


def test_stopping_a_batch_from_its_page(cadre_client, batch):
    response = cadre_client.post(
        reverse("visits:card_batch_deactivate", args=[batch.pk]), {"reason": "superseded", "note": "换发第2批"}
    )
    assert response.url == batch.get_absolute_url()
    batch.refresh_from_db()
    assert not batch.is_active and batch.deactivation_reason == "superseded"
    html = cadre_client.get(batch.get_absolute_url()).content.decode()
    assert "已换新" in html and "生成打印文件" not in html


def test_posters_are_registered_printed_and_stopped_from_their_page(cadre_client, community, settings):
    settings.LUCUN_PUBLIC_BASE_URL = "https://lucun.example.gov.cn"
    response = cadre_client.post(
        reverse("visits:feedback_point_create", args=[community.pk]), {"name": "便民超市门口", "place": "shop"}
    )
    assert response.url == reverse("visits:feedback_points", args=[community.pk])
    point = FeedbackPoint.objects.get()
    pdf = cadre_client.get(reverse("visits:feedback_point_pdf", args=[point.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    cadre_client.post(reverse("visits:feedback_point_deactivate", args=[point.pk]), {"reason": "removed"})
    point.refresh_from_db()
    assert not point.is_active
    assert cadre_client.get(reverse("visits:feedback_point_pdf", args=[point.pk])).status_code == 404


@needs_poppler
def test_the_poster_pdf_from_the_page_decodes_to_its_public_address(cadre_client, community, settings):
    settings.LUCUN_PUBLIC_BASE_URL = "https://lucun.example.gov.cn"
    point = feedback_point(community=community)
    pdf = cadre_client.get(reverse("visits:feedback_point_pdf", args=[point.pk])).content
    assert decode_pdf_page(pdf, dpi=72) == [f"https://lucun.example.gov.cn/f/{point.channel.token}/"]


def test_a_stopped_card_says_so_and_still_takes_feedback_for_the_street(client, batch, community, cadre):
    cache.clear()
    services.card_batch_deactivate(actor=cadre, batch=batch, reason=DeactivationReason.LOST)
    url = feedback_channel_public_url(channel=batch.channel)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "这个二维码已停用" in html
    street_code = feedback_channel_street_wide(street=community.street)
    action = feedback_channel_public_url(channel=street_code)
    assert f'action="{action}"' in html
    response = client.post(action, {"community": community.pk, "text": "村口路灯坏了,晚上看不见。"})
    feedback = Feedback.objects.get()
    assert response.status_code == 200 and feedback.lookup_code in response.content.decode()  # the receipt
    assert feedback.channel == street_code and feedback.community == community
    cache.clear()


def test_a_batch_whose_code_was_stopped_on_the_channels_page_says_so_and_is_not_printed(cadre_client, batch, cadre):
    from cases.services import feedback_channel_deactivate

    feedback_channel_deactivate(channel=batch.channel, user=cadre, reason="联系卡遗失")
    html = cadre_client.get(batch.get_absolute_url()).content.decode()
    assert "已在“反馈渠道”中停用(联系卡遗失)" in html and "生成打印文件" not in html


def test_the_way_back_from_a_batch_and_a_poster_form_names_the_community_in_the_readers_language(
    cadre_client, community, batch
):
    pages = {
        "batch": reverse("visits:card_batch_detail", args=[batch.pk]),
        "poster": reverse("visits:feedback_point_create", args=[community.pk]),
    }
    chinese = {k: cadre_client.get(url).content.decode() for k, url in pages.items()}
    english = {k: cadre_client.get(url, headers={"accept-language": "en"}).content.decode() for k, url in pages.items()}
    assert f"返回{community.name}联系卡</a>" in chinese["batch"]
    assert f"Back to the contact cards of {community.name}</a>" in english["batch"]
    assert f"返回{community.name}二维码张贴点</a>" in chinese["poster"]
    assert f"Back to the QR poster locations of {community.name}</a>" in english["poster"]
