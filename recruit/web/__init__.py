"""Web plumbing shared by every area: identity, guards, templates, errors."""
