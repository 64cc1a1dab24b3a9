"""Post/Redirect/Get: every redirect that answers a POST is a 303 See Other.

A 302 after a POST leaves the method to the browser's goodwill; 303 says "fetch the result
with GET", so a reload of the page shown after a save never offers to send the form again.
One rule for the whole app, so a view writes a plain `redirect(...)` and the answer is right
whichever blueprint, helper (crud, once-only tokens, issuing) or extension (the login
manager's redirect to the sign-in page) made it. 301/307/308 keep their own meaning.
"""
from flask import request


def see_other_after_post(response):
    if response.status_code == 302 and request.method == "POST":
        response.status_code = 303
    return response


def init_prg(app) -> None:
    app.after_request(see_other_after_post)
