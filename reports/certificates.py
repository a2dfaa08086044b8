"""Honour certificates (荣誉证书, DOMAIN §8): whom the bureau may pick and the default wording."""

from __future__ import annotations

from .pdf import Certificate

DEFAULT_UNIT_HONOUR = "宣传工作先进集体"
DEFAULT_PERSON_HONOUR = "优秀信息宣传员"


def work_name(year: int, title: str = "") -> str:
    """What the commendation is for: the year's title (e.g. 2011年度人力资源和社会保障宣传工作) when set."""
    return title.strip() or f"{year}年度宣传工作"


def unit_citation(work: str, honour: str = DEFAULT_UNIT_HONOUR) -> str:
    return f"在{work}中成绩突出，被评为{honour}。特发此证，以资鼓励。"


def person_citation(work: str, honour: str = DEFAULT_PERSON_HONOUR) -> str:
    return f"在{work}中表现突出，被评为{honour}。特发此证，以资鼓励。"


def person_key(name: str, unit_name: str) -> str:
    """A person is identified in the results by name and unit (two 张三 in two units are two people)."""
    return f"{unit_name}|{name}"


def pick(
    results,
    *,
    unit_names=(),
    person_keys=(),
    year: int,
    title: str = "",
    unit_honour: str = DEFAULT_UNIT_HONOUR,
    person_honour: str = DEFAULT_PERSON_HONOUR,
) -> tuple[list[Certificate], list[str]]:
    """Certificates for the chosen units and people, in results order; also the names not found."""
    units = {u.unit_name: u for u in results.units}
    people = {person_key(p.name, p.unit_name): p for p in results.people}
    by_name: dict[str, list] = {}
    for p in results.people:
        by_name.setdefault(p.name, []).append(p)
    work = work_name(year, title)
    certs: list[Certificate] = []
    unknown: list[str] = []
    for name in unit_names:
        if name in units:
            certs.append(Certificate(name, "", unit_citation(work, unit_honour)))
        else:
            unknown.append(name)
    for key in person_keys:
        person = people.get(key)
        if person is None and "|" not in key and len(by_name.get(key, [])) == 1:
            person = by_name[key][0]  # a bare name is enough when it is unique
        if person is None:
            unknown.append(key)
            continue
        certs.append(Certificate(person.name, person.unit_name, person_citation(work, person_honour)))
    return certs, unknown
