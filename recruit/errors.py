"""Errors that cross layers."""


class FormErrors(Exception):
    """Field -> message id. Raised before anything was changed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


class Refusal(Exception):
    """A rule refused the action: an HTTP-like status and a message id (with its parameters) that the web layer
    translates. Raised before anything was changed."""

    status = 409

    def __init__(self, message: str, **params: object):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params
