"""Notifications: addressed to a person or to a role in an organisation, firewalled, translated when read."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from corridor.accounts.models import OrgKind
from corridor.accounts.selectors import labour_inspectorates, origin_authorities
from corridor.core import notify
from corridor.core.access import Category, Role
from corridor.core.models import Notification
from corridor.core.selectors import notification_list, unread_count

pytestmark = pytest.mark.django_db


def _notice(category=Category.WAGE, **kw):
    return notify.Notice(kind="test.notice", message=gettext_noop("Payslip for %(period)s checked."), category=category,
                         params={"period": "1-14 May"}, **kw)


def test_a_personal_notice_reaches_only_its_addressee(make_user):
    worker, other = make_user(Role.WORKER), make_user(Role.WORKER)
    notify.send(_notice(), users=[worker, worker])
    assert notification_list(user=worker).count() == 1
    assert notification_list(user=other).count() == 0
    assert notification_list(user=worker).get().text == "Payslip for 1-14 May checked."


def test_a_role_notice_reaches_the_role_holders_of_that_organisation_only(make_user, make_org):
    inspectorate = make_org(OrgKind.LABOUR_INSPECTORATE, "CA")
    inspector = make_user(Role.LABOUR_INSPECTOR, organisation=inspectorate)
    colleague_other_role = make_user(Role.LABOUR_INSPECTOR, organisation=make_org(OrgKind.LABOUR_INSPECTORATE, "CA"))
    notify.send(_notice(), organisations=[(inspectorate.pk, Role.LABOUR_INSPECTOR)])
    assert notification_list(user=inspector).count() == 1
    assert notification_list(user=colleague_other_role).count() == 0
    # Addressed to a role the organisation's member does not hold: not theirs.
    notify.send(_notice(), organisations=[(inspectorate.pk, Role.MINISTRY_OFFICER)])
    assert notification_list(user=inspector).count() == 1


def test_immigration_never_reads_labour_protection_notices(make_user):
    officer = make_user(Role.IMMIGRATION_OFFICER)
    notify.send(_notice(category=Category.WAGE), users=[officer],
                organisations=[(officer.organisation_id, Role.IMMIGRATION_OFFICER)])
    notify.send(_notice(category=Category.PERMIT), users=[officer])
    visible = notification_list(user=officer)
    assert [n.category for n in visible] == [Category.PERMIT]


def test_the_text_is_translated_when_read_in_the_readers_language(make_user):
    worker = make_user(Role.WORKER, language="fr")
    notify.send(notify.Notice(kind="test", message=gettext_noop("Withdrawn"), category=Category.WORKER_IDENTITY),
                users=[worker])
    note = Notification.objects.get(user=worker)
    assert note.message == "Withdrawn"
    with translation.override("fr"):
        assert note.text != "Withdrawn" and note.text


def test_a_notice_without_recipient_is_refused_by_the_database(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(category="wage", kind="x", message="m")


def test_mark_read_changes_only_the_actors_own(make_user):
    a, b = make_user(Role.WORKER), make_user(Role.WORKER)
    notify.send(_notice(), users=[a, b])
    assert unread_count(user=a) == 1
    assert notify.mark_read(actor=a) == 1
    assert unread_count(user=a) == 0 and unread_count(user=b) == 1


def test_addresses_of_origin_authorities_and_inspectorates(make_user, make_org):
    mx = make_org(OrgKind.ORIGIN_AUTHORITY, "MX")
    make_user(Role.ORIGIN_OFFICER, organisation=mx)
    make_user(Role.ORIGIN_OFFICER, organisation=make_org(OrgKind.ORIGIN_AUTHORITY, "JM"))
    ca = make_org(OrgKind.LABOUR_INSPECTORATE, "CA")
    make_user(Role.LABOUR_INSPECTOR, organisation=ca)
    assert origin_authorities("MX") == [(mx.pk, Role.ORIGIN_OFFICER)]
    assert labour_inspectorates("CA") == [(ca.pk, Role.LABOUR_INSPECTOR)]
    assert labour_inspectorates("US") == []


def test_api_lists_and_marks_read(make_user, api_client):
    worker = make_user(Role.WORKER)
    notify.send(_notice(), users=[worker])
    api = api_client(worker)
    listed = api.get("notifications?unread=true").json()
    assert listed["count"] == 1 and listed["items"][0]["text"] == "Payslip for 1-14 May checked."
    assert listed["items"][0]["personal"] is True
    assert api.post("notifications/read", {"ids": [listed["items"][0]["id"]]}).json() == {"marked": 1}
    assert api.get("notifications?unread=true").json()["count"] == 0
    assert api.post("notifications/read", {"ids": "x"}).status_code == 422


def test_the_page_shows_and_marks_read(make_user, web_client):
    worker = make_user(Role.WORKER)
    notify.send(_notice(), users=[worker])
    client = web_client(worker)
    page = client.get("/notifications/")
    assert page.status_code == 200 and "Payslip for 1-14 May checked." in page.content.decode()
    assert client.post("/notifications/").status_code == 302
    assert unread_count(user=worker) == 0
    assert web_client().get("/notifications/").status_code == 302


def test_parameters_marked_translated_are_translated_too(make_user):
    worker = make_user(Role.WORKER, language="fr")
    notify.send(notify.Notice(kind="test", message=gettext_noop("Payslip for %(period)s checked."),
                              category=Category.WORKER_IDENTITY, params={"period": "Withdrawn", "who": "Withdrawn"},
                              translated=("period",)), users=[worker])
    note = Notification.objects.get(user=worker)
    with translation.override("fr"):
        with translation.override("fr"):
            expected_word = translation.gettext("Withdrawn")
        assert expected_word != "Withdrawn"
        assert expected_word in note.text
    assert "__translated" not in note.text


def test_large_batches_write_the_same_rows(make_user, monkeypatch):
    """Above COPY_OVER, PostgreSQL takes the rows by COPY; what is read back is the same as from a small batch."""
    worker = make_user(Role.WORKER)
    notice = notify.Notice(kind="test.bulk", message=gettext_noop("Payslip for %(period)s checked."),
                           category=Category.WAGE, params={"period": "tab\there"}, link="/payslips/me/",
                           subject=("payroll.payslip", 7), programme_id=None)
    assert notify.send(notice, users=[worker]) == 1
    monkeypatch.setattr(notify, "COPY_OVER", 0)
    assert notify.send(notice, users=[worker]) == 1
    small, large = Notification.objects.filter(kind="test.bulk").order_by("pk")
    fields = ("user_id", "organisation_ref", "role", "programme_ref", "category", "kind", "message", "params", "link",
              "subject_type", "subject_id", "read_at")
    assert [getattr(large, f) for f in fields] == [getattr(small, f) for f in fields]
    assert large.text == "Payslip for tab\there checked." and large.created_at is not None
