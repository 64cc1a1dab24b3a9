"""Who manages a survey campaign (issue 17, campaigns.may_manage): the director and the
deputies every campaign of the school; the psychologist the campaigns they created. Reading
the results stays with every survey reader."""
import pytest

from app.extensions import db
from app.models import Campaign
from tests.factories.surveys import make_campaign


@pytest.fixture
def campaigns(school):
    deputys = make_campaign(school, mode="codes", title="Parents' satisfaction")
    deputys.created_by_id = school.user("deputy").id
    own = make_campaign(school, mode="codes", title="Climate")
    own.created_by_id = school.user("psychologist").id
    db.session.commit()
    return {"deputy": deputys, "psychologist": own}


def _status(campaign_id):
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id).status


def test_the_psychologist_manages_only_their_own_campaigns(client, login, school, campaigns):
    other, own = campaigns["deputy"], campaigns["psychologist"]
    target = other.targets[0]
    login(school.user("psychologist"))
    assert client.post(f"/surveys/{other.id}/status", data={"status": "closed"}).status_code == 403
    assert client.post(f"/surveys/{other.id}/codes", data={"target_id": target.id, "count": 5}).status_code == 403
    assert client.get(f"/surveys/{other.id}/notice/{target.id}").status_code == 403
    assert _status(other.id) == "open"
    detail = client.get(f"/surveys/{other.id}").get_data(as_text=True)
    assert f"/surveys/{other.id}/status" not in detail and f"/surveys/{other.id}/notice/" not in detail
    assert client.get(f"/surveys/{other.id}/results").status_code == 200  # reading stays
    assert f"/surveys/{own.id}/status" in client.get(f"/surveys/{own.id}").get_data(as_text=True)
    assert client.post(f"/surveys/{own.id}/status", data={"status": "closed"}).status_code == 303
    assert _status(own.id) == "closed"


@pytest.mark.parametrize("role", ["admin", "deputy"])
def test_the_director_and_deputies_manage_every_campaign(client, login, school, campaigns, role):
    login(school.user(role))
    for campaign in campaigns.values():
        target = campaign.targets[0]
        assert client.get(f"/surveys/{campaign.id}/notice/{target.id}").status_code == 200
        assert client.post(f"/surveys/{campaign.id}/status", data={"status": "closed"}).status_code == 303
        assert _status(campaign.id) == "closed"
