"""Surveys: the model, one module per question type (kinds/), the flow, responses."""

# The question types register with the model as the package loads: a survey read from its
# file is checked against them, whichever module is imported first.
from bot.surveys import kinds as kinds
