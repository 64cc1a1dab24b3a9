"""A change a view asks a service for, in one transaction: committed and followed by a redirect
(PRG), or refused by the service and rolled back with its reason on the form or in a banner. The
district's pages share it (rating weights, schools, staff, packages, campaigns) and so does issuing
a document (app/web/issuing.py)."""
from typing import Callable, Union

from flask import flash, redirect
from wtforms import Field

from app.extensions import db


def commit_change(change: Callable, refused: type[Exception], *, success: Union[str, Callable],
                  to: Union[str, Callable], field: Union[Field, Callable, None] = None,
                  says: Callable = str, code: int = 303):
    """Run `change()` (a service's call) and commit. When it raises `refused`, roll back, put
    `says(error)` on `field` (a form field, or a function of the error that picks one) or, with no
    field, flash it as an error, and return None: the view shows its page again. Otherwise flash
    `success` and return the redirect to `to`; either may be a function of what `change()` returned."""
    try:
        result = change()
        db.session.commit()
    except refused as error:
        db.session.rollback()
        message = says(error)
        target = field if field is None or isinstance(field, Field) else field(error)
        if target is None:
            flash(message, "error")
        elif isinstance(target.errors, list):
            target.errors.append(message)
        else:  # a field that was not validated has no list of errors yet
            target.errors = [message]
        return None
    flash(success(result) if callable(success) else success, "success")
    return redirect(to(result) if callable(to) else to, code=code)
