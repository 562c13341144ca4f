"""Evaluation callbacks per task (use with ``nemo.core.EvaluatorCallback``)."""
