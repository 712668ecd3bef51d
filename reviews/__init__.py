"""The reviews app: models, the public API, moderation admin and aggregates."""
