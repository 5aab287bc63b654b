"""Planning: Scenario → Plan (exposure per site, dose at the target, safety, schedule, population coverage).
``lightdose.plan(scenario)`` is the entry point; :mod:`lightdose.present` shows plans. Not a medical device."""

from lightdose.planning.plan import Plan, SitePlan, plan
from lightdose.planning.scenario import Scenario, load_scenario, scenario_from_text, schema

__all__ = ["Plan", "Scenario", "SitePlan", "load_scenario", "plan", "scenario_from_text", "schema"]
