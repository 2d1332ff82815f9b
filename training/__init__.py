"""Offline training pipeline: dataset, fine-tuning, export, registry, evaluation (no Django)."""
