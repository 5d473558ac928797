"""The programme rulebook: the typed set of rules a programme runs on, its validation and its ILO warnings.

Plain Python (pydantic only, no Django), so that it can be tested and reused alone. Code look-ups (ISCO-08,
countries, languages, currencies, sectors) are passed in as functions by the caller.

Sources: GB.346/POL/1 para 9-24 (design elements), ILO General principles for fair recruitment (2019),
C97, C143, C181, R86 (see docs/rulebook.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class EmployerChangePolicy(StrEnum):
    FREE = "free"
    WITHIN_SECTOR = "within_sector"
    LIMITED = "limited"
    NOT_ALLOWED = "not_allowed"


class WageFloorBasis(StrEnum):
    PREVAILING = "prevailing"
    MINIMUM = "minimum"
    HIGHER_OF = "higher_of"


class SelectionMode(StrEnum):
    MATCHING = "matching"
    EMPLOYER_SHORTLIST = "employer_shortlist"


class SeasonWindow(_Rules):
    start_month: int = Field(1, ge=1, le=12, description="First month in which workers may be present (1-12).")
    end_month: int = Field(12, ge=1, le=12, description="Last month in which workers may be present (1-12).")


class Stay(_Rules):
    max_months_per_stay: int = Field(..., ge=1, le=120, description="Longest single stay, in months.")
    max_total_months: int | None = Field(None, ge=1, le=240, description="Longest total time across stays.")
    season_window: SeasonWindow | None = None
    max_months_in_period: int | None = Field(None, ge=1, le=24, description="e.g. 7 months in any 11 (RSE).")
    period_months: int | None = Field(None, ge=1, le=60)


class Renewal(_Rules):
    renewable: bool = False
    max_renewals: int = Field(0, ge=0, le=20)
    multiple_entry: bool = False
    reentry_without_retest: bool = False


class EmployerChange(_Rules):
    policy: EmployerChangePolicy = EmployerChangePolicy.FREE
    max_changes: int | None = Field(None, ge=0, le=50, description="For the 'limited' policy.")
    grace_period_days: int = Field(90, ge=0, le=365, description="Days of lawful stay to find a new employer.")


class Family(_Rules):
    accompaniment_allowed: bool = False
    conditions: str = Field("", max_length=500)


class AgeRange(_Rules):
    min: int = Field(18, ge=0, le=100)
    max: int | None = Field(None, ge=0, le=100)


class LanguageRequirement(_Rules):
    language: str = Field(..., min_length=2, max_length=3, description="ISO 639 code.")
    test: str = Field("", max_length=100)
    min_level: str = Field("", max_length=40, description="e.g. CEFR A2, or a test score.")
    validity_months: int | None = Field(None, ge=1, le=120)


class Quotas(_Rules):
    annual: int | None = Field(None, ge=0, description="Positions per year for the whole programme.")
    per_origin: dict[str, int] = Field(default_factory=dict, description="ISO country code -> positions per year.")
    per_sector: dict[str, int] = Field(default_factory=dict, description="ISIC section -> positions per year.")


class FeeException(_Rules):
    category: str = Field(..., min_length=1, max_length=40)
    max_amount: float = Field(..., ge=0)
    currency: str = Field(..., min_length=3, max_length=3)
    justification: str = Field(..., min_length=5, max_length=500)


FEE_CATEGORIES = (
    "recruitment_fee",
    "medical",
    "insurance",
    "tests",
    "training",
    "equipment",
    "travel_lodging",
    "administrative",
)


class Fees(_Rules):
    workers_pay_nothing: bool = True
    lawful_exceptions: list[FeeException] = Field(default_factory=list)


class WageFloor(_Rules):
    basis: WageFloorBasis = WageFloorBasis.HIGHER_OF
    minimum_wage_premium_percent: float = Field(0, ge=0, le=200, description="e.g. 10 for minimum wage + 10%.")


class GuaranteedHours(_Rules):
    hours: float | None = Field(None, gt=0, le=2000, description="Hours offered or paid per period.")
    period_weeks: int | None = Field(None, ge=1, le=52)
    share_of_contract_percent: float | None = Field(None, gt=0, le=100, description="e.g. 85 (Spain).")


DEDUCTION_TYPES = (
    "tax",
    "social_security",
    "housing",
    "food",
    "transport",
    "insurance",
    "travel_advance",
    "equipment",
    "union_dues",
    "savings",
)


class Deductions(_Rules):
    allowed_types: list[str] = Field(default_factory=lambda: ["tax", "social_security"])
    caps_percent: dict[str, float] = Field(default_factory=dict, description="Type -> cap as % of gross pay.")
    total_cap_percent: float | None = Field(None, ge=0, le=100)
    net_pay_floor_percent: float | None = Field(None, ge=0, le=100, description="Net pay at least this % of gross.")


class Housing(_Rules):
    min_area_m2_per_person: float | None = Field(None, gt=0, le=100)
    max_persons_per_room: int | None = Field(None, ge=1, le=20)
    required_facilities: list[str] = Field(default_factory=list)
    employer_must_provide: bool = False


class Recall(_Rules):
    enabled: bool = True
    requires_compliant_return: bool = True
    named_by_employer_allowed: bool = True


class Pathway(_Rules):
    enabled: bool = False
    seasons_required: int | None = Field(None, ge=1, le=20)
    months_required: int | None = Field(None, ge=1, le=240)
    target_status: str = Field("", max_length=200)


class TargetGroup(StrEnum):
    SEX = "sex"
    REGION = "region"


class Points(_Rules):
    """The published points score that orders workers after the recall tiers (docs/selection.md)."""

    language_per_level: float = Field(2, ge=0, le=100, description="Per CEFR level (A1 = 1 ... C2 = 6); a pass = 1.")
    experience_per_year: float = Field(1, ge=0, le=100, description="Per year of experience in the job's occupation.")
    experience_max_years: int = Field(10, ge=0, le=60)
    skills_test_max: float = Field(10, ge=0, le=100, description="Points for a skills test score of 100.")
    waiting_per_month: float = Field(0.5, ge=0, le=100, description="Per whole month work-ready in the pool.")
    waiting_max_months: int = Field(24, ge=0, le=240)
    first_time_underrepresented: float = Field(5, ge=0, le=100)
    underrepresented_regions: list[str] = Field(default_factory=list, description="Regions of origin, as recorded.")


class Targets(_Rules):
    """Distributional targets: reserved seats (minimum shares) and caps for one grouping of workers."""

    group_by: TargetGroup | None = None
    min_percent: dict[str, float] = Field(default_factory=dict, description="Group -> share of positions reserved.")
    max_percent: dict[str, float] = Field(default_factory=dict, description="Group -> largest share of positions.")


class Selection(_Rules):
    mode: SelectionMode = SelectionMode.MATCHING
    shortlist_per_position: int = Field(3, ge=1, le=20)
    max_preferences: int = Field(10, ge=1, le=50)
    passed_over_moves_up_after: int = Field(2, ge=1, le=20, description="Shortlist mode: passed over this often moves up.")
    points: Points = Field(default_factory=Points)
    targets: Targets = Field(default_factory=Targets)


class LabourMarketTest(_Rules):
    required: bool = True
    min_advertising_days: int = Field(14, ge=0, le=365)
    shortage_list_exempt: bool = False
    shortage_occupations: list[str] = Field(default_factory=list, description="ISCO-08 codes.")


class RuleSet(_Rules):
    """Every rule of one programme rule version. Omitted sections take protective defaults."""

    stay: Stay
    renewal: Renewal = Field(default_factory=Renewal)
    employer_change: EmployerChange = Field(default_factory=EmployerChange)
    family: Family = Field(default_factory=Family)
    age: AgeRange = Field(default_factory=AgeRange)
    eligible_occupations: list[str] = Field(default_factory=list, description="ISCO-08 codes; empty means any.")
    eligible_sectors: list[str] = Field(default_factory=list, description="ISIC Rev.4 sections; empty means any.")
    language: LanguageRequirement | None = None
    quotas: Quotas = Field(default_factory=Quotas)
    fees: Fees = Field(default_factory=Fees)
    wage_floor: WageFloor = Field(default_factory=WageFloor)
    guaranteed_hours: GuaranteedHours = Field(default_factory=GuaranteedHours)
    deductions: Deductions = Field(default_factory=Deductions)
    housing: Housing = Field(default_factory=Housing)
    contract_delivery_lead_days: int = Field(14, ge=0, le=365)
    recall: Recall = Field(default_factory=Recall)
    pathway: Pathway = Field(default_factory=Pathway)
    wage_guarantee_deposit_months: float = Field(0, ge=0, le=24)
    selection: Selection = Field(default_factory=Selection)
    labour_market_test: LabourMarketTest = Field(default_factory=LabourMarketTest)
    four_eyes_approval: bool = True
    employer_approval_months: int = Field(24, ge=1, le=120)


@dataclass(frozen=True)
class Issue:
    """One finding about a rule set: an error blocks saving, a warning is shown beside the rule."""

    field: str
    message: str
    principle: str = ""


@dataclass
class Lookups:
    """Functions that say whether a code exists; the caller binds them to the reference data."""

    isco: Callable[[str], bool] = lambda code: True
    country: Callable[[str], bool] = lambda code: True
    language: Callable[[str], bool] = lambda code: True
    currency: Callable[[str], bool] = lambda code: True
    sector: Callable[[str], bool] = lambda code: True


@dataclass
class Verdict:
    rules: RuleSet | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rules is not None


SEX_GROUPS = ("female", "male", "other", "undisclosed")
MIN_WORKING_AGE = 15  # C138 Art 2(3): the general minimum age for employment is not less than 15.


def _pydantic_issues(exc: ValidationError) -> list[Issue]:
    issues = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "rules"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "Unknown rule; check its spelling."
        elif err["type"] == "missing":
            message = "This rule is required."
        issues.append(Issue(loc, message))
    return issues


def validate_rules(data: dict, lookups: Lookups | None = None) -> Verdict:
    """Parse and check a rule set; every error and warning names the rule at fault."""
    lookups = lookups or Lookups()
    if not isinstance(data, dict):
        return Verdict(None, [Issue("rules", "Rules must be an object of named sections.")])
    try:
        rules = RuleSet.model_validate(data)
    except ValidationError as exc:
        return Verdict(None, _pydantic_issues(exc))
    errors: list[Issue] = []
    warnings: list[Issue] = []
    _check_consistency(rules, errors, lookups)
    _check_principles(rules, warnings)
    return Verdict(rules, errors, warnings)


def _check_consistency(r: RuleSet, errors: list[Issue], lk: Lookups) -> None:
    add = lambda f, m: errors.append(Issue(f, m))  # noqa: E731
    if r.age.min < MIN_WORKING_AGE:
        add("age.min", f"The minimum age cannot be under {MIN_WORKING_AGE} (ILO C138).")
    if r.age.max is not None and r.age.max < r.age.min:
        add("age.max", f"The maximum age ({r.age.max}) is below the minimum age ({r.age.min}).")
    s = r.stay
    if s.max_total_months is not None and s.max_total_months < s.max_months_per_stay:
        add("stay.max_total_months", "The total stay limit is shorter than a single stay.")
    if (s.max_months_in_period is None) != (s.period_months is None):
        add("stay.period_months", "Give both 'months in period' and 'period months', or neither.")
    elif s.max_months_in_period is not None and s.max_months_in_period > s.period_months:
        add("stay.max_months_in_period", "Months allowed exceed the length of the period.")
    if s.season_window is not None:
        w = s.season_window
        span = (w.end_month - w.start_month) % 12 + 1
        if s.max_months_per_stay > span and span < 12:
            add("stay.max_months_per_stay", f"A stay of {s.max_months_per_stay} months does not fit the {span}-month season window.")
    if not r.renewal.renewable and r.renewal.max_renewals:
        add("renewal.max_renewals", "Renewals are set but the permit is not renewable.")
    ec = r.employer_change
    if ec.policy == EmployerChangePolicy.LIMITED and ec.max_changes is None:
        add("employer_change.max_changes", "The 'limited' policy needs a maximum number of changes.")
    if ec.policy != EmployerChangePolicy.LIMITED and ec.max_changes is not None:
        add("employer_change.max_changes", "A maximum number of changes only applies to the 'limited' policy.")
    for i, code in enumerate(r.eligible_occupations):
        if not lk.isco(code):
            add(f"eligible_occupations.{i}", f"Unknown ISCO-08 code '{code}'.")
    for i, code in enumerate(r.labour_market_test.shortage_occupations):
        if not lk.isco(code):
            add(f"labour_market_test.shortage_occupations.{i}", f"Unknown ISCO-08 code '{code}'.")
    for i, code in enumerate(r.eligible_sectors):
        if not lk.sector(code):
            add(f"eligible_sectors.{i}", f"Unknown ISIC Rev.4 section '{code}'.")
    _dupes(r.eligible_occupations, "eligible_occupations", add)
    _dupes(r.eligible_sectors, "eligible_sectors", add)
    if r.language is not None and not lk.language(r.language.language):
        add("language.language", f"Unknown ISO 639 language code '{r.language.language}'.")
    q = r.quotas
    for code, n in q.per_origin.items():
        if not lk.country(code):
            add(f"quotas.per_origin.{code}", f"Unknown ISO 3166-1 country code '{code}'.")
        if n < 0:
            add(f"quotas.per_origin.{code}", "A quota cannot be negative.")
    for code, n in q.per_sector.items():
        if not lk.sector(code):
            add(f"quotas.per_sector.{code}", f"Unknown ISIC Rev.4 section '{code}'.")
        if n < 0:
            add(f"quotas.per_sector.{code}", "A quota cannot be negative.")
    if q.annual is not None:
        for name, part in (("per_origin", q.per_origin), ("per_sector", q.per_sector)):
            if part and sum(part.values()) < 0:
                add(f"quotas.{name}", "Quotas cannot be negative.")
            if part and max(part.values(), default=0) > q.annual:
                add(f"quotas.{name}", f"A {name.replace('_', ' ')} quota is above the annual quota of {q.annual}.")
    for i, ex in enumerate(r.fees.lawful_exceptions):
        if ex.category not in FEE_CATEGORIES:
            add(f"fees.lawful_exceptions.{i}.category", f"Unknown cost category '{ex.category}'; use one of {', '.join(FEE_CATEGORIES)}.")
        if not lk.currency(ex.currency):
            add(f"fees.lawful_exceptions.{i}.currency", f"Unknown ISO 4217 currency '{ex.currency}'.")
    if r.fees.workers_pay_nothing and r.fees.lawful_exceptions:
        add("fees.lawful_exceptions", "Exceptions are listed but the policy says workers pay nothing.")
    gh = r.guaranteed_hours
    if (gh.hours is None) != (gh.period_weeks is None):
        add("guaranteed_hours.period_weeks", "Give guaranteed hours together with the period they cover.")
    d = r.deductions
    for i, t in enumerate(d.allowed_types):
        if t not in DEDUCTION_TYPES:
            add(f"deductions.allowed_types.{i}", f"Unknown deduction type '{t}'; use one of {', '.join(DEDUCTION_TYPES)}.")
    _dupes(d.allowed_types, "deductions.allowed_types", add)
    for t, cap in d.caps_percent.items():
        if t not in d.allowed_types:
            add(f"deductions.caps_percent.{t}", f"A cap is set for '{t}', which is not an allowed deduction.")
        if not 0 <= cap <= 100:
            add(f"deductions.caps_percent.{t}", "A cap must be between 0 and 100 percent of gross pay.")
    if d.total_cap_percent is not None and d.net_pay_floor_percent is not None:
        if d.total_cap_percent + d.net_pay_floor_percent > 100.0001 and d.total_cap_percent != 100:
            add("deductions.net_pay_floor_percent", "The total deduction cap and the net-pay floor cannot both hold.")
    p = r.pathway
    if p.enabled and p.seasons_required is None and p.months_required is None:
        add("pathway.seasons_required", "An enabled pathway needs seasons or months required.")
    sel = r.selection
    if sel.mode == SelectionMode.EMPLOYER_SHORTLIST and sel.shortlist_per_position < 1:
        add("selection.shortlist_per_position", "The shortlist needs at least one candidate per position.")
    t = sel.targets
    if (t.min_percent or t.max_percent) and t.group_by is None:
        add("selection.targets.group_by", "Say which grouping the targets are for: 'sex' or 'region'.")
    for name, part in (("min_percent", t.min_percent), ("max_percent", t.max_percent)):
        for group, share in part.items():
            if not 0 <= share <= 100:
                add(f"selection.targets.{name}.{group}", "A share must be between 0 and 100 percent.")
    if sum(t.min_percent.values()) > 100:
        add("selection.targets.min_percent", "The reserved shares add up to more than 100 percent.")
    for group, share in t.min_percent.items():
        if group in t.max_percent and t.max_percent[group] < share:
            add(f"selection.targets.max_percent.{group}", f"The cap for '{group}' is below its reserved share.")
    if t.group_by == TargetGroup.SEX:
        for group in [*t.min_percent, *t.max_percent]:
            if group not in SEX_GROUPS:
                add(f"selection.targets.{'min_percent' if group in t.min_percent else 'max_percent'}.{group}",
                    f"Unknown sex '{group}'; use one of {', '.join(SEX_GROUPS)}.")


def _dupes(values: list[str], name: str, add) -> None:
    seen = set()
    for i, v in enumerate(values):
        if v in seen:
            add(f"{name}.{i}", f"'{v}' is listed twice.")
        seen.add(v)


def _check_principles(r: RuleSet, warnings: list[Issue]) -> None:
    """Rules stricter than an ILO principle are allowed, with a warning that cites the principle."""
    warn = lambda f, m, p: warnings.append(Issue(f, m, p))  # noqa: E731
    ec = r.employer_change
    if ec.policy == EmployerChangePolicy.NOT_ALLOWED:
        warn(
            "employer_change.policy",
            "Workers cannot change employer. Tying workers to one employer is a main source of abuse.",
            "Fair recruitment principle 12; GB.346 para 29-31; C143 Art 14(a) (at most two years)",
        )
    elif ec.policy == EmployerChangePolicy.LIMITED and (ec.max_changes or 0) == 0:
        warn("employer_change.max_changes", "A limit of zero changes means workers cannot change employer.", "Fair recruitment principle 12")
    if ec.grace_period_days < 30 and ec.policy != EmployerChangePolicy.NOT_ALLOWED:
        warn(
            "employer_change.grace_period_days",
            f"Only {ec.grace_period_days} days to find a new employer; losing a job must not by itself make a worker irregular.",
            "C143 Art 8; GB.346 para 31",
        )
    if not r.fees.workers_pay_nothing:
        warn(
            "fees.workers_pay_nothing",
            "Workers may be charged some recruitment costs. No recruitment fees or related costs should be charged to or borne by workers.",
            "Fair recruitment principle 7; C181 Art 7; ILO definition of recruitment fees and related costs (2018)",
        )
    if r.contract_delivery_lead_days < 7:
        warn(
            "contract_delivery_lead_days",
            "The contract reaches the worker less than a week before departure; workers need time to read and accept it.",
            "Fair recruitment principle 8; C97 Annex I Art 6",
        )
    if r.wage_floor.basis == WageFloorBasis.MINIMUM:
        warn(
            "wage_floor.basis",
            "The floor is the minimum wage only; migrant workers are owed the pay of nationals doing the same work.",
            "C97 Art 6(1)(a); GB.346 para 36",
        )
    if r.deductions.net_pay_floor_percent is None and r.deductions.total_cap_percent is None:
        warn("deductions.total_cap_percent", "No cap on total deductions and no net-pay floor.", "C95 Art 8; GB.346 para 37")
    if r.recall.enabled and not r.recall.requires_compliant_return and r.recall.named_by_employer_allowed:
        warn(
            "recall.requires_compliant_return",
            "Recall depends only on the employer; recall at the employer's discretion has been used to punish complaints.",
            "GB.346 para 40; Madrid para 31-34",
        )
    if not r.recall.enabled:
        warn("recall.enabled", "Workers who completed a season get no priority next season.", "Madrid para 31-34")
    if r.age.max is not None and r.age.max < 30:
        warn("age.max", "A low maximum age excludes many experienced workers.", "Fair recruitment principle 1 (non-discrimination)")
    if r.housing.employer_must_provide and r.housing.min_area_m2_per_person is None:
        warn("housing.min_area_m2_per_person", "Employer housing without a minimum floor area per person.", "GB.346 para 33")


def plain_defaults() -> dict:
    """A minimal valid rule set, for forms and tests: a 6-month stay with protective defaults."""
    return RuleSet(stay=Stay(max_months_per_stay=6)).model_dump(mode="json")
