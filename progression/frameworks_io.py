"""Reading and writing frameworks as CSV and JSON.

Parsing is pure (text in, plain dicts or row-by-row errors out) so the upload preview, the
command line and the data migration share it; ``save_framework`` takes the model classes as
arguments so a migration can pass its historical models.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from preceptorship import spreadsheets

CSV_COLUMNS = ["section", "code", "statement", "guidance"]
# Optional columns naming the kind of framework (a skills passport, say) and its level (the band a
# passport is for); every row that fills them gives the same value.
CSV_FRAMEWORK_COLUMNS = ["kind", "level"]
KINDS = {"competency": "competency", "competency framework": "competency", "skills passport": "skills_passport",
         "skills_passport": "skills_passport", "passport": "skills_passport"}
MAX_CODE = 30
MAX_TITLE = 200
# The lengths of the framework's own columns (progression.models.Framework).
MAX_LENGTHS = {"name": 200, "slug": 100, "source": 300, "from_level": 100, "to_level": 100}
MAX_VERSION = 100_000
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Texts of the framework, of each section and of each competency in a JSON file.
FRAMEWORK_TEXTS = ("name", "slug", "source", "from_level", "to_level")
# The most dated pieces of evidence a framework may ask for each competency (the model's constraint).
MAX_EVIDENCE_NEEDED = 20
SECTION_TEXTS = ("title",)
COMPETENCY_TEXTS = ("code", "statement", "guidance")
NUL_MESSAGE = ("The file holds a NUL character, a sign of a damaged or binary file: "
               "save it again as text and upload that.")


@dataclass
class ParseResult:
    frameworks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.frameworks)


def _clean(text: Any) -> str:
    return " ".join(str(text or "").split())


def parse_csv(text: str, *, meta: dict[str, Any]) -> ParseResult:
    """Rows of section, code, statement, guidance; the framework's name and so on come from ``meta``."""
    result = ParseResult()
    if "\x00" in text:
        result.errors.append(NUL_MESSAGE)
        return result
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _parse_csv_rows(reader, meta, result)
    except csv.Error:
        result.errors.append(f"Row {reader.line_num}: a cell is too long (more than {csv.field_size_limit()} "
                             "characters) or the file is damaged.")
        result.frameworks.clear()
        return result


def _parse_csv_rows(reader: csv.DictReader, meta: dict[str, Any], result: ParseResult) -> ParseResult:
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS[:3] if c not in headers]
    if missing:
        result.errors.append(f"Row 1: the header must name the columns {', '.join(CSV_COLUMNS)} "
                             f"(missing: {', '.join(missing)}).")
        return result
    reader.fieldnames = headers
    sections: dict[str, dict[str, Any]] = {}
    whole: dict[str, tuple[str, int]] = {}
    for number, row in enumerate(reader, start=2):
        # A file this product exported has a quote before any text a spreadsheet would run.
        row = {key: spreadsheets.unquote_cell(value) if isinstance(value, str) else value for key, value in row.items()}
        title = _clean(row.get("section"))
        code = _clean(row.get("code"))
        statement = (row.get("statement") or "").strip()
        if not any([title, code, statement]):
            continue
        problems = []
        if not title:
            problems.append("the section is empty")
        if not code:
            problems.append("the code is empty")
        elif len(code) > MAX_CODE:
            problems.append(f"the code is longer than {MAX_CODE} characters")
        if not statement:
            problems.append("the statement is empty")
        if len(title) > MAX_TITLE:
            problems.append(f"the section is longer than {MAX_TITLE} characters")
        if problems:
            result.errors.append(f"Row {number}: {'; '.join(problems)}.")
            continue
        for column in CSV_FRAMEWORK_COLUMNS:
            value = _clean(row.get(column))
            if value and whole.setdefault(column, (value, number))[0] != value:
                first, at = whole[column]
                problems.append(f"the {column} is {value!r} but row {at} says {first!r}: a file holds one framework")
        if problems:
            result.errors.append(f"Row {number}: {'; '.join(problems)}.")
            continue
        section = sections.setdefault(title, {"title": title, "required_for_sign_off": False, "competencies": []})
        section["competencies"].append(
            {"code": code, "statement": statement, "guidance": (row.get("guidance") or "").strip()}
        )
    framework = dict(meta)
    if "kind" in whole:
        framework["kind"] = whole["kind"][0]
    if "level" in whole:
        framework["to_level"] = whole["level"][0]
    framework["sections"] = list(sections.values())
    required = set(meta.get("required_sections") or [])
    for section in framework["sections"]:
        section["required_for_sign_off"] = section["title"] in required
    framework.pop("required_sections", None)
    result.errors.extend(validate_framework(framework))
    if not result.errors:
        result.frameworks.append(framework)
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str) -> ParseResult:
    """A list of frameworks (or one framework) in the export's shape."""
    result = ParseResult()
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        result.errors.append(f"Line {error.lineno}: this is not valid JSON ({error.msg}).")
        return result
    except RecursionError:
        result.errors.append("The file's lists or objects are nested too deeply to be a framework.")
        return result
    except ValueError as error:  # a number of thousands of digits, NaN or Infinity
        what = str(error) if "JSON" in str(error) else "a number in the file is too long"
        result.errors.append(f"This is not a framework file: {what}.")
        return result
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data:
        result.errors.append("The file must hold a list of frameworks.")
        return result
    for index, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            result.errors.append(f"Framework {index}: must be an object with a name and sections.")
            continue
        problems = shape_problems(raw, prefix=f"Framework {index}")
        if problems:
            result.errors.extend(problems)
            continue
        framework = normalise(raw)
        problems = validate_framework(framework, prefix=f"Framework {index}")
        result.errors.extend(problems)
        if not problems:
            result.frameworks.append(framework)
    return result


def parse_file(name: str, text: str, *, meta: dict[str, Any] | None = None) -> ParseResult:
    if name.lower().endswith(".json"):
        return parse_json(text)
    return parse_csv(text, meta=meta or {})


def _is_text(value: Any) -> bool:
    """A JSON value that reads as text: a string or a number (a code may be written 1), or nothing."""
    return value is None or (isinstance(value, (str, int, float)) and not isinstance(value, bool))


def shape_problems(raw: dict[str, Any], *, prefix: str) -> list[str]:
    """What in a framework's JSON is of the wrong type: each text must be text, each list a list."""
    problems = []

    def texts(obj: dict[str, Any], names: tuple[str, ...], where: str) -> None:
        for name in names:
            if not _is_text(obj.get(name)):
                problems.append(f"{where}: the {name.replace('_', ' ')} must be text.")

    def a_list(obj: dict[str, Any], name: str, where: str) -> list[Any]:
        value = obj.get(name)
        if value is not None and not isinstance(value, list):
            problems.append(f"{where}: the {name} must be a list.")
            return []
        return value or []

    texts(raw, FRAMEWORK_TEXTS, prefix)
    needed = raw.get("evidence_per_competency")
    if needed is not None and (isinstance(needed, bool) or not isinstance(needed, int)
                               or not 0 <= needed <= MAX_EVIDENCE_NEEDED):
        problems.append(f"{prefix}: evidence_per_competency must be a whole number from 0 to {MAX_EVIDENCE_NEEDED}.")
    if not all(isinstance(p, str) for p in a_list(raw, "professions", prefix)):
        problems.append(f"{prefix}: the professions must be a list of short names such as \"social-work\".")
    for s_index, section in enumerate(a_list(raw, "sections", prefix), start=1):
        where = f"{prefix}, section {s_index}"
        if not isinstance(section, dict):
            problems.append(f"{where}: must be an object with a title and competencies.")
            continue
        texts(section, SECTION_TEXTS, where)
        if section.get("required_for_sign_off") not in (None, True, False):
            problems.append(f"{where}: required_for_sign_off must be true or false.")
        for c_index, competency in enumerate(a_list(section, "competencies", where), start=1):
            if not isinstance(competency, dict):
                problems.append(f"{where}, competency {c_index}: must be an object with a code and a statement.")
                continue
            texts(competency, COMPETENCY_TEXTS, f"{where}, competency {c_index}")
    return problems


def normalise(raw: dict[str, Any]) -> dict[str, Any]:
    sections = []
    for raw_section in raw.get("sections") or []:
        if not isinstance(raw_section, dict):
            sections.append({"title": "", "competencies": None})
            continue
        competencies = []
        for raw_competency in raw_section.get("competencies") or []:
            if not isinstance(raw_competency, dict):
                competencies.append({"code": "", "statement": ""})
                continue
            competencies.append(
                {
                    "code": _clean(raw_competency.get("code")),
                    "statement": str(raw_competency.get("statement") or "").strip(),
                    "guidance": str(raw_competency.get("guidance") or "").strip(),
                }
            )
        sections.append(
            {
                "title": _clean(raw_section.get("title")),
                "required_for_sign_off": bool(raw_section.get("required_for_sign_off", False)),
                "competencies": competencies,
            }
        )
    version = raw.get("version")
    return {
        "name": _clean(raw.get("name")),
        "slug": _clean(raw.get("slug")) or slugify(_clean(raw.get("name")))[:100],
        "version": version,
        "source": _clean(raw.get("source")),
        "professions": [str(p) for p in raw.get("professions") or []],
        "from_level": _clean(raw.get("from_level")),
        # "level" is the skills passport template's name for it (the band).
        "to_level": _clean(raw.get("to_level") or raw.get("level")),
        "evidence_per_competency": raw.get("evidence_per_competency", 1),
        "sections": sections,
        **({"kind": _clean(raw.get("kind"))} if raw.get("kind") is not None else {}),
    }


def validate_framework(framework: dict[str, Any], *, prefix: str = "") -> list[str]:
    lead = f"{prefix}: " if prefix else ""
    errors = []
    if not framework.get("name"):
        errors.append(f"{lead}the framework has no name: give it one.")
    if not framework.get("slug"):
        framework["slug"] = slugify(framework.get("name") or "")[:100]
    if _holds_nul(framework):
        errors.append(f"{lead}{NUL_MESSAGE[0].lower()}{NUL_MESSAGE[1:]}")
    for name, limit in MAX_LENGTHS.items():
        if len(str(framework.get(name) or "")) > limit:
            label = "short name (slug)" if name == "slug" else name.replace("_", " ")
            errors.append(f"{lead}the {label} is longer than {limit} characters.")
    if "kind" in framework:
        kind = KINDS.get(str(framework["kind"] or "").strip().lower())
        if kind is None:
            errors.append(f"{lead}the kind must be \u201cskills passport\u201d or \u201ccompetency framework\u201d.")
        else:
            framework["kind"] = kind
    if framework.get("slug") and not SLUG.fullmatch(str(framework["slug"])):
        errors.append(f"{lead}the short name (slug) may hold only letters, numbers, hyphens and underscores.")
    version = framework.get("version")
    if version not in (None, ""):
        framework["version"] = _whole_number(version)
        if framework["version"] is None:
            errors.append(f"{lead}the version must be a whole number from 1 to {MAX_VERSION}.")
    else:
        framework["version"] = None
    if not framework.get("sections"):
        errors.append(f"{lead}the framework has no sections: add at least one, with its competencies.")
    codes: set[str] = set()
    titles: set[str] = set()
    for s_index, section in enumerate(framework.get("sections") or [], start=1):
        where = f"{lead}section {s_index}"
        if not section.get("title"):
            errors.append(f"{where}: the title is empty.")
        elif section["title"] in titles:
            errors.append(f"{where}: the title {section['title']!r} is used twice.")
        titles.add(section.get("title") or "")
        if not section.get("competencies"):
            errors.append(f"{where}: there are no competencies.")
            continue
        for c_index, competency in enumerate(section["competencies"], start=1):
            cwhere = f"{where}, competency {c_index}"
            code = competency.get("code") or ""
            if not code:
                errors.append(f"{cwhere}: the code is empty.")
            elif len(code) > MAX_CODE:
                errors.append(f"{cwhere}: the code is longer than {MAX_CODE} characters.")
            elif code in codes:
                errors.append(f"{cwhere}: the code {code!r} is used twice in the framework.")
            codes.add(code)
            if not competency.get("statement"):
                errors.append(f"{cwhere}: the statement is empty.")
    # Without a prefix a message starts the sentence.
    return errors if prefix else [error[:1].upper() + error[1:] for error in errors]


def _holds_nul(value: Any) -> bool:
    """Whether any text of the framework holds a NUL character (no database column stores one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _whole_number(value: Any) -> int | None:
    """A version from a file: a whole number (or its digits as text) from 1 to MAX_VERSION."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= len(str(MAX_VERSION))):
            return None
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_VERSION:
        return None
    return value


def save_framework(
    data: dict[str, Any],
    *,
    models: dict[str, Any],
    status: str,
    owner_id: int | None,
    published_at: Any = None,
) -> Any:
    """Create one framework version with its sections and competencies (validated data only)."""
    Framework = models["Framework"]
    Section = models["Section"]
    Competency = models["Competency"]
    Profession = models["Profession"]
    version = data.get("version")
    if not version:
        latest = Framework.objects.filter(slug=data["slug"]).order_by("-version").first()
        version = (latest.version + 1) if latest else 1
    framework = Framework.objects.create(
        name=data["name"],
        slug=data["slug"],
        version=version,
        source=data.get("source", ""),
        from_level=data.get("from_level", ""),
        to_level=data.get("to_level", ""),
        evidence_per_competency=data.get("evidence_per_competency", 1),
        owner_id=owner_id,
        status=status,
        published_at=published_at,
    )
    if data.get("kind") and data["kind"] != "competency":
        # Only then: the data migration's historical Framework has no kind.
        framework.kind = data["kind"]
        framework.save(update_fields=["kind"])
    framework.professions.set(Profession.objects.filter(slug__in=data.get("professions") or []))
    for s_order, section_data in enumerate(data["sections"], start=1):
        section = Section.objects.create(
            framework=framework,
            title=section_data["title"],
            order=s_order,
            required_for_sign_off=section_data.get("required_for_sign_off", False),
        )
        Competency.objects.bulk_create(
            Competency(
                section=section,
                code=c["code"],
                statement=c["statement"],
                guidance=c.get("guidance", ""),
                order=c_order,
            )
            for c_order, c in enumerate(section_data["competencies"], start=1)
        )
    return framework


def export_data(frameworks: list[Any]) -> list[dict[str, Any]]:
    """Frameworks (with sections and competencies prefetched) as plain data in the import's shape."""
    out = []
    for framework in frameworks:
        out.append(
            {
                "name": framework.name,
                "slug": framework.slug,
                "version": framework.version,
                "source": framework.source,
                "professions": sorted(p.slug for p in framework.professions.all()),
                "from_level": framework.from_level,
                "to_level": framework.to_level,
                "evidence_per_competency": framework.evidence_per_competency,
                # Named only when it is not a competency framework, so older files stay as they were.
                **({"kind": framework.kind} if framework.kind != "competency" else {}),
                "sections": [
                    {
                        "title": section.title,
                        "required_for_sign_off": section.required_for_sign_off,
                        "competencies": [
                            {"code": c.code, "statement": c.statement, "guidance": c.guidance}
                            for c in section.competencies.all()
                        ],
                    }
                    for section in framework.sections.all()
                ],
            }
        )
    return out


def export_json(frameworks: list[Any]) -> str:
    return json.dumps(export_data(frameworks), indent=2, ensure_ascii=False) + "\n"


def export_csv(frameworks: list[Any], *, with_framework: bool = False) -> str:
    buffer = io.StringIO()
    writer = spreadsheets.csv_writer(buffer)
    header = (["framework", "version"] if with_framework else []) + CSV_COLUMNS
    writer.writerow(header)
    for framework in frameworks:
        for section in framework.sections.all():
            for c in section.competencies.all():
                lead = [framework.slug, framework.version] if with_framework else []
                writer.writerow(lead + [section.title, c.code, c.statement, c.guidance])
    return buffer.getvalue()


# Example rows of the skills passport template: clearly examples, to be replaced by the passport's own.
PASSPORT_TEMPLATE_ROWS = [
    ("Communication", "B3-COM-1", "Example: explains a planned activity to the person in words they understand.",
     "Replace every example row with the passport's own skills."),
    ("Communication", "B3-COM-2", "Example: hands over what happened in a session to the registered clinician.", ""),
    ("Person-centred care", "B3-PCC-1", "Example: checks the person's consent before each activity.", ""),
]


def passport_template_csv() -> str:
    """A CSV for the framework import laid out for a skills passport: the usual columns plus the kind
    and the level (the band), with example rows to replace."""
    buffer = io.StringIO()
    writer = spreadsheets.csv_writer(buffer)
    writer.writerow(CSV_COLUMNS + CSV_FRAMEWORK_COLUMNS)
    for row in PASSPORT_TEMPLATE_ROWS:
        writer.writerow([*row, "skills passport", "Band 3"])
    return buffer.getvalue()
