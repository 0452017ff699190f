"""Signing in and out through the real forms."""


def test_sign_in_with_email_and_password(client, factory):
    user = factory.user("ana@example.org")
    response = client.login(user)
    assert response.headers["Location"] == "/caucuses"
    assert "ana@example.org" in client.get("/settings").get_data(as_text=True)


def test_wrong_password_is_refused(client, factory):
    user = factory.user()
    response = client.submit("/login", {"email": user.email, "password": "not it at all"})
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/settings").status_code == 302
