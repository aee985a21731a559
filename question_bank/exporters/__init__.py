"""Export items to the formats other tools read."""
