"""The standard contract's content: every R86 item present, in every interface language; the content hash; what an
amendment changes."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

from corridor.contracts import clauses, wording

pytestmark = pytest.mark.django_db

ALL_PATHS = [(key, path) for key, paths, _source in clauses.ITEMS for path in paths]


def _drop(content: dict, path: str) -> None:
    node = content
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    del node[parts[-1]]


def _set(content: dict, path: str, value) -> None:
    node = content
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


# --- every item present ------------------------------------------------------------------------------------------


def test_the_items_are_the_r86_model_agreement_and_the_fair_recruitment_additions():
    keys = set(clauses.ITEM_KEYS)
    assert len(keys) == len(clauses.ITEMS)  # no item twice
    assert {"parties", "work", "place", "occupation", "pay", "overtime", "night_and_holidays", "payment", "allowances",
            "deductions", "food", "housing", "duration", "renewal_and_notice", "entry_and_stay", "travel",
            "termination", "equal_treatment", "no_fees", "employer_change", "complaints"} <= keys
    for key, paths, source in clauses.ITEMS:
        assert paths and source.strip(), key


def test_a_generated_contract_holds_every_item(ct_contract):
    content = ct_contract.content
    assert clauses.missing(content) == []
    for key, path in ALL_PATHS:
        value = clauses._get(content, path)
        assert value is not None and str(value).strip(), (key, path)
    assert content["equal_treatment"] is True and content["no_fees"] is True
    assert content["job_order"] == ct_contract.placement.job_order.reference
    assert content["worker"]["public_id"] == ct_contract.placement.worker.public_id
    assert content["pay"]["amount"] == "18.00" and content["pay"]["currency"] == "CAD"
    assert content["deductions"]["items"] == [{"type": "tax", "amount": "200.00"}]
    assert content["housing"]["provided"] == "yes"


def test_removing_any_item_is_named_by_missing(ct_contract):
    for key, path in ALL_PATHS:
        content = copy.deepcopy(ct_contract.content)
        _drop(content, path)
        assert clauses.missing(content) == [(key, path)], path
        for blank in (None, "", "   "):
            content = copy.deepcopy(ct_contract.content)
            _set(content, path, blank)
            assert (key, path) in clauses.missing(content), (path, blank)


def test_missing_names_every_gap_at_once(ct_contract):
    content = copy.deepcopy(ct_contract.content)
    content["work"]["description"] = ""
    del content["complaints"]
    content["pay"] = {}
    gaps = clauses.missing(content)
    assert ("work", "work.description") in gaps and ("complaints", "complaints") in gaps
    assert {p for _k, p in gaps if p.startswith("pay.")} == {p for _k, p in ALL_PATHS if p.startswith("pay.")}
    assert clauses.missing({}) == ALL_PATHS


def test_false_and_zero_are_values_not_gaps(ct_contract):
    content = copy.deepcopy(ct_contract.content)
    content["duration"]["notice_days"] = 0
    content["travel"]["outbound_worker_percent"] = "0"
    assert clauses.missing(content) == []


@pytest.mark.parametrize("language", ["en", "es", "fr", "ar"])
def test_each_item_reads_as_a_sentence_in_every_language(ct_contract, language):
    rendered = wording.render(ct_contract.content, language)
    assert [i["key"] for i in rendered] == list(clauses.ITEM_KEYS)
    for item in rendered:
        assert str(item["title"]).strip(), (language, item["key"])
        assert str(item["text"]).strip() and "None" not in str(item["text"]), (language, item["key"], item["text"])


def test_side_by_side_has_both_languages_for_every_item(ct_contract):
    rows = wording.side_by_side(ct_contract.content, "es", "en")
    assert [r["key"] for r in rows] == list(clauses.ITEM_KEYS)
    english = {i["key"]: i["text"] for i in wording.render(ct_contract.content, "en")}
    spanish = {i["key"]: i["text"] for i in wording.render(ct_contract.content, "es")}
    for row in rows:
        assert row["text"] == spanish[row["key"]] and row["text_destination"] == english[row["key"]]


def test_an_unknown_language_falls_back_to_english(ct_contract):
    assert wording.render(ct_contract.content, "xx") == wording.render(ct_contract.content, "en")


# --- content hash ------------------------------------------------------------------------------------------------


def test_content_hash_is_the_sha256_of_the_canonical_text():
    content = {"b": 1, "a": {"d": "José", "c": [1, 2]}}
    assert clauses.canonical(content) == '{"a":{"c":[1,2],"d":"José"},"b":1}'
    assert clauses.content_hash(content) == hashlib.sha256(clauses.canonical(content).encode("utf-8")).hexdigest()
    assert clauses.content_hash(content) == hashlib.sha256('{"a":{"c":[1,2],"d":"José"},"b":1}'.encode()).hexdigest()


def test_content_hash_ignores_key_order_and_sees_every_value(ct_contract):
    content = ct_contract.content
    shuffled = json.loads(json.dumps(dict(reversed(list(content.items())))))
    assert clauses.content_hash(shuffled) == clauses.content_hash(content)
    for _key, path in ALL_PATHS:
        changed = copy.deepcopy(content)
        _set(changed, path, "something else")
        assert clauses.content_hash(changed) != clauses.content_hash(content), path


def test_the_stored_hash_matches_the_stored_content(ct_contract):
    from corridor.contracts.models import Contract

    stored = Contract.objects.get(pk=ct_contract.pk)
    assert stored.content_hash == clauses.content_hash(stored.content)
    assert len(stored.content_hash) == 64


# --- what an amendment changes -----------------------------------------------------------------------------------


def test_changes_lists_exactly_the_changed_items(ct_contract):
    before = ct_contract.content
    after = copy.deepcopy(before)
    after["pay"]["amount"] = "19.50"
    after["duration"]["end"] = "2099-11-30"
    after["duration"]["start"] = "2099-05-01"
    diff = clauses.changes(before, after)
    assert [d["item"] for d in diff] == ["pay", "duration"]
    assert diff[0]["fields"] == [{"path": "pay.amount", "before": "18.00", "after": "19.50"}]
    assert [f["path"] for f in diff[1]["fields"]] == ["duration.end", "duration.start"]
    assert diff[1]["fields"][0]["after"] == "2099-11-30"


def test_changes_is_empty_when_nothing_changes_and_ignores_the_schema(ct_contract):
    before = ct_contract.content
    assert clauses.changes(before, copy.deepcopy(before)) == []
    after = copy.deepcopy(before)
    after["schema"] = 99
    assert clauses.changes(before, after) == []


def test_changes_follow_the_items_order_and_place_unlisted_paths_with_their_item(ct_contract):
    before = ct_contract.content
    after = copy.deepcopy(before)
    after["complaints"] = "Another office."
    after["housing"]["charge_amount"] = "25.00"
    after["allowances"] = "A harvest bonus of 200 CAD."
    after["employer_change"]["max_changes"] = 2
    diff = clauses.changes(before, after)
    assert [d["item"] for d in diff] == ["allowances", "housing", "employer_change", "complaints"]
    assert diff[1]["fields"] == [{"path": "housing.charge_amount", "before": before["housing"]["charge_amount"],
                                  "after": "25.00"}]


def test_a_removed_or_added_field_is_a_change(ct_contract):
    before = ct_contract.content
    after = copy.deepcopy(before)
    del after["food"]
    diff = clauses.changes(before, after)
    assert diff == [{"item": "food", "fields": [{"path": "food", "before": before["food"], "after": None}]}]
    assert clauses.changes(after, before)[0]["fields"][0]["after"] == before["food"]


def test_what_changes_shows_each_changed_item_before_and_after(ct_contract):
    before = ct_contract.content
    after = copy.deepcopy(before)
    after["pay"]["amount"] = "19.50"
    after["housing"]["charge_amount"] = "30.00"
    rows = wording.what_changes(clauses.changes(before, after), before, after, "es")
    assert [r["key"] for r in rows] == ["pay", "housing"]
    assert "18.00" in rows[0]["before"] and "19.50" in rows[0]["after"]
    assert "30.00" in rows[1]["after"] and rows[1]["title"] != "housing"
