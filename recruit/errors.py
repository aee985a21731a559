"""Errors that cross layers."""


class FormErrors(Exception):
    """Field -> message id. Raised before anything was changed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors
