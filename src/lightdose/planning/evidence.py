"""Evidence labels: what a plan rests on, how firmly, and what the trials show for the condition treated.

Every plan carries these labels so that a reader can tell physics from heuristics from clinical evidence:

- **well-established**: physics and physiology measured many times (tissue optics, light transport, bioheat,
  exposure limits);
- **estimate**: model inputs with a plausible range but no dedicated measurement series (target depths);
- **heuristic**: rules of thumb extrapolated from cell and animal data (the dose window at the target);
- **trial evidence**: what controlled clinical trials of the condition found;
- **unsupported**: marketing claims that no source supports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Level = Literal["well-established", "estimate", "heuristic", "trial evidence", "unsupported"]
Condition = Literal["diabetic-neuropathy", "carpal-tunnel", "knee-osteoarthritis", "microcirculation",
                    "sauna", "other"]


@dataclass(frozen=True)
class EvidenceLabel:
    """One statement with its level and sources."""

    topic: str
    level: Level
    statement: str
    citations: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {**asdict(self), "citations": list(self.citations)}


OPTICS = EvidenceLabel(
    "light transport", "well-established",
    "Tissue optical properties from composition and the δ-P1 diffusion solver, validated against lightdose's Monte "
    "Carlo (within 10 % from 1 to 30 mm for broad beams, 20 % for beams of radius ≥ 5 mm; docs/validation.md).",
    ("Jacques 2013, Phys Med Biol 58:R37", "Carp, Prahl & Venugopalan 2004, J Biomed Opt 9:632"))
HEATING = EvidenceLabel(
    "heating and burn dose", "well-established",
    "Skin temperature from the Pennes bioheat equation with temperature-dependent skin perfusion; burn dose by "
    "CEM43 and Henriques' damage integral; the 43 °C limit for applied parts in prolonged skin contact.",
    ("Pennes 1948, J Appl Physiol 1:93", "Sapareto & Dewey 1984, Int J Radiat Oncol Biol Phys 10:787",
     "Henriques 1947, Arch Pathol 43:489", "IEC 60601-1"))
LIMITS = EvidenceLabel(
    "exposure limits", "well-established",
    "Skin maximum permissible exposure and the infrared limit for the eyes are international standards.",
    ("ICNIRP 2013, Health Phys 105:271", "IEC 60825-1", "IEC 62471"))
ANATOMY = EvidenceLabel(
    "target depths", "estimate",
    "Depths of nerves and joints below the skin are estimates from anatomy texts and ultrasound studies of "
    "nearby structures; no dedicated depth series exists for most targets. A measured fat thickness matters most.",
    ("lightdose estimates (data/sites.yaml, docs/references.md)", "Xu et al. 2017, J Am Acad Dermatol 77:1133",
     "Lintzeri et al. 2022, J Eur Acad Dermatol Venereol 36:1191"))
WINDOW = EvidenceLabel(
    "dose window", "heuristic",
    "The 1–10 J/cm² window at the target and target irradiances of ≲ 10–50 mW/cm² come from the biphasic dose "
    "response seen in cell and animal studies; they are not established doses for people.",
    ("Huang, Chen, Carroll & Hamblin 2009, Dose-Response 7:358",))
PERFUSION = EvidenceLabel(
    "skin perfusion", "estimate",
    "Predicted laser-Doppler perfusion from lightdose's model of the local-heating response (axon reflex, NO "
    "plateau), calibrated to forearm skin heated to 42 °C and applied here to other sites, devices and people.",
    ("Minson, Berry & Joyner 2001, J Appl Physiol 91:1619", "docs/perfusion.md"))
POPULATION = EvidenceLabel(
    "population coverage", "estimate",
    "The virtual people (skin type, BMI, dermal blood, neuropathy, plantar pads, target position) are drawn from "
    "stated distributions, partly lightdose's assumptions (docs/planning.md).",
    ("NCD Risk Factor Collaboration 2016, Lancet 387:1377", "Jacques 2013, Phys Med Biol 58:R37"))

CONDITIONS: dict[str, tuple[EvidenceLabel, ...]] = {
    "diabetic-neuropathy": (
        EvidenceLabel(
            "890 nm pads for diabetic neuropathy", "trial evidence",
            "Sham-controlled randomised trials of 890 nm monochromatic infrared energy (MIRE) pads found no benefit "
            "over sham on sensation; a meta-analysis found no sustained sensory benefit. Positive reports came from "
            "small or uncontrolled series.",
            ("Clifft et al. 2005, Diabetes Care 28:2896", "Lavery et al. 2008, Diabetes Care 31:316",
             "Robinson et al. 2017, Braz J Phys Ther 21:233", "Leonard, Farooqi & Myers 2004, Diabetes Care 27:168")),
        EvidenceLabel(
            "insensate feet", "well-established",
            "Heat pain is raised or absent in small-fibre neuropathy: pain is no safeguard against burns.",
            ("IEC 60601-1 (contact limit)", "lightdose summary of clinical knowledge: no primary source cited")),
    ),
    "carpal-tunnel": (
        EvidenceLabel(
            "laser dose for carpal tunnel syndrome", "heuristic",
            "WALT recommends for 780–860 nm lasers 2–3 points over the carpal tunnel, at least 4 J per point and "
            "8 J in total; these are consensus recommendations, not doses proven for people.",
            ("World Association for Laser Therapy 2010, dosage recommendations",)),
        EvidenceLabel(
            "trials in carpal tunnel syndrome", "trial evidence",
            "lightdose's science brief cites no controlled trial for carpal tunnel syndrome: check current "
            "systematic reviews before expecting a benefit. The plan reports physics, not efficacy.",
            ("no controlled trial reviewed by lightdose",)),
    ),
    "knee-osteoarthritis": (
        EvidenceLabel(
            "laser therapy for knee osteoarthritis", "trial evidence",
            "A meta-analysis of placebo-controlled trials of low-level laser therapy at WALT-recommended doses "
            "found reduced pain; consumer LED panels at a distance were not what those trials tested.",
            ("Stausholm et al. 2019, BMJ Open 9:e031142",)),
    ),
    "microcirculation": (
        EvidenceLabel(
            "890 nm light versus heat for skin blood flow", "trial evidence",
            "In 30 healthy people 890 nm MIRE raised capillary flux more than sham and a warm pack, measured after "
            "the exposure only. Local heating of skin to 42 °C raises laser-Doppler flow to ~87 % of maximum; flow "
            "returns to baseline within minutes to tens of minutes after heating.",
            ("Mak & Cheing 2012, Photomed Laser Surg 30:193", "Minson, Berry & Joyner 2001, J Appl Physiol 91:1619")),
        EvidenceLabel(
            "'circulation elevated for 4 hours'", "unsupported",
            "No source supports blood flow staying raised for hours after a session.",
            ("Mak & Cheing 2012, Photomed Laser Surg 30:193 (measured after exposure only)",
             "lightdose review: no source found for hours (docs/references.md)")),
    ),
    "sauna": (
        EvidenceLabel(
            "Waon therapy (60 °C far-infrared sauna)", "trial evidence",
            "15 min at 60 °C and 30 min of rest, in small controlled studies of heart failure, raised deep body "
            "temperature by 1.0–1.2 °C and improved haemodynamics.",
            ("Tei et al. 1995, Circulation 91:2582", "Kihara et al. 2004, Circ J 68:1146")),
        EvidenceLabel(
            "whole-body heat model", "estimate",
            "Core temperature and sweat from JOS-3, a model of a healthy adult, unvalidated above ~50 °C air and "
            "without a skin-blood-flow limit (lightdose caps it at ~7 L/min).",
            ("Takahashi et al. 2021, Energy Build 231:110575", "Rowell 1986, Human Circulation")),
        EvidenceLabel(
            "hydration", "well-established",
            "Replace about 1.5 L of fluid per kg of body mass lost and avoid losing more than 2 % of body mass.",
            ("Sawka et al. 2007, ACSM position stand, Med Sci Sports Exerc 39:377",)),
    ),
    "other": (),
}


def evidence_labels(condition: str, light: bool, heat: bool, sauna: bool) -> list[EvidenceLabel]:
    """The labels of a plan: the physics it uses (light transport if `light`, heating if `light` or `heat`), the
    dose-window heuristic and population estimates for light plans, and the condition's trial evidence."""
    labels: list[EvidenceLabel] = []
    if light:
        labels += [OPTICS, LIMITS]
    if light or heat:
        labels += [HEATING, ANATOMY, PERFUSION]
    if light:
        labels += [WINDOW, POPULATION]
    labels += list(CONDITIONS.get(condition, ()))
    if sauna and condition != "sauna":
        labels += list(CONDITIONS["sauna"])
    return labels
