"""Shared by the API tests: tokens made through the service, requests with a bearer token."""
from app.extensions import db
from app.services.api import tokens


def token_of(user, name: str = "test") -> str:
    """A new token of `user` (committed); the token in clear."""
    _row, secret = tokens.create(user, name)
    db.session.commit()
    return secret


def get(client, url: str, token=None, lang: str = "en"):
    headers = {"Accept-Language": lang}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(url, headers=headers)
