"""Caucus pages: create, dashboard, members, invitations, leaving."""

import re
from urllib.parse import urlsplit

from drafting.caucuses.models import Role
from tests.conftest import PASSWORD


def shown_link(html):
    """The link in the read-only field of the members page."""
    return re.search(r'value="(http[^"]+/invitations/[^"]+)"', html).group(1)


def test_create_a_caucus_and_land_on_its_dashboard(client, factory):
    """The creator is sent to the new caucus and is its owner."""
    client.login(factory.user())
    response = client.submit("/caucuses", {"name": "Bridge Caucus"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Bridge Caucus" in html
    assert "Your role: Owner" in html
    assert "Bridge Caucus" in client.get("/caucuses").get_data(as_text=True)


def test_empty_name_is_refused_with_a_message(client, factory):
    """Nothing is created; the form says why."""
    client.login(factory.user())
    response = client.submit("/caucuses", {"name": ""})
    assert response.status_code == 200
    assert "This field is required" in response.get_data(as_text=True)


def test_owner_invites_unknown_email_and_sees_the_link_once(client, make_client, factory):
    """Without mail, the link is shown to the owner; the invitee registers and joins."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    client.login(owner)
    page = client.submit(
        f"/caucuses/{caucus.id}/members", {"email": "newcomer@example.org", "role": "commenter"}
    )
    link = shown_link(page.get_data(as_text=True))
    path = urlsplit(link).path
    assert "newcomer@example.org" in client.get(f"/caucuses/{caucus.id}/members").text
    assert link not in client.get(f"/caucuses/{caucus.id}/members").text

    newcomer = make_client()
    assert "Join" in newcomer.get(path).text
    newcomer.submit(
        f"/register?invitation={path.rsplit('/', 1)[1]}",
        {
            "name": "Newcomer",
            "email": "newcomer@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "invitation": path.rsplit("/", 1)[1],
        },
    )
    joined = newcomer.submit(path, follow_redirects=True)
    assert "Your role: Commenter" in joined.get_data(as_text=True)


def test_invitation_mail_is_sent_when_smtp_is_configured(client, factory, app, monkeypatch):
    """With MAIL_SERVER set, the link goes by mail and is not shown on the page."""
    from tests.mail import smtp_sink

    owner = factory.user()
    caucus = factory.caucus(owner)
    client.login(owner)
    with smtp_sink() as (port, inbox):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        response = client.submit(
            f"/caucuses/{caucus.id}/members",
            {"email": "mailed@example.org", "role": "editor"},
            follow_redirects=True,
        )
    assert "Invitation sent to mailed@example.org" in response.text
    assert 'data-testid="invitation-link"' not in response.text
    [message] = inbox
    assert message["To"] == "mailed@example.org"
    assert "/invitations/" in message.get_content()


def test_owner_changes_a_role(client, factory):
    """The role select on the members page works."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    member = factory.member(caucus, Role.VIEWER)
    client.login(owner)
    client.submit(f"/caucuses/{caucus.id}/members/{member.id}/role", {"role": "rapporteur"})
    html = client.get(f"/caucuses/{caucus.id}/members").text
    row = re.search(rf'data-member="{member.email}".*?</tr>', html, re.S).group(0)
    assert '<option value="rapporteur" selected>' in row


def test_last_owner_cannot_leave_and_is_told_why(client, factory):
    """The refusal is a message, not an error page, and nothing changes."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    client.login(owner)
    response = client.submit(f"/caucuses/{caucus.id}/leave", follow_redirects=True)
    assert "A caucus needs an owner" in response.text
    assert client.get(f"/caucuses/{caucus.id}").status_code == 200


def test_a_member_leaves(client, factory):
    """After leaving, the caucus is gone from the person's view."""
    caucus = factory.caucus(factory.user())
    member = factory.member(caucus, Role.EDITOR)
    client.login(member)
    client.submit(f"/caucuses/{caucus.id}/leave")
    assert client.get(f"/caucuses/{caucus.id}").status_code == 404


def test_removed_member_loses_the_open_session_at_once(client, make_client, factory):
    """The member's very next page load is a 404."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    member = factory.member(caucus, Role.EDITOR)
    member_browser = make_client()
    member_browser.login(member)
    assert member_browser.get(f"/caucuses/{caucus.id}").status_code == 200
    client.login(owner)
    client.submit(f"/caucuses/{caucus.id}/members/{member.id}/remove")
    assert member_browser.get(f"/caucuses/{caucus.id}").status_code == 404


def test_viewers_see_members_but_cannot_manage(client, factory):
    """No role controls for non-owners, and posting them anyway is forbidden."""
    caucus = factory.caucus(factory.user())
    viewer = factory.member(caucus, Role.VIEWER)
    client.login(viewer)
    html = client.get(f"/caucuses/{caucus.id}/members").text
    assert "Invite someone" not in html
    response = client.submit(
        f"/caucuses/{caucus.id}/members", {"email": "x@example.org", "role": "owner"}
    )
    assert response.status_code == 403


def test_withdrawn_invitation_link_says_so(client, make_client, factory):
    """A withdrawn link explains itself instead of erroring."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    client.login(owner)
    page = client.submit(
        f"/caucuses/{caucus.id}/members", {"email": "later@example.org", "role": "viewer"}
    )
    path = urlsplit(shown_link(page.text)).path
    invitation_id = re.search(
        r"/invitations/(\d+)/revoke", client.get(f"/caucuses/{caucus.id}/members").text
    ).group(1)
    client.submit(f"/caucuses/{caucus.id}/invitations/{invitation_id}/revoke")
    response = make_client().get(path)
    assert response.status_code == 404
    assert "not valid any more" in response.text


def test_language_choice_sets_direction_for_arabic(client):
    """Choosing Arabic lays the page out right to left."""
    client.get("/language/ar")
    html = client.get("/login").text
    assert '<html lang="ar" dir="rtl">' in html


def test_unknown_language_is_404(client):
    """Only offered languages can be chosen."""
    assert client.get("/language/xx").status_code == 404
