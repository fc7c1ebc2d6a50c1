"""The demo's made-up catalogue: names, skills, places, titles and the two programs."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

from demo.people import DEMO_DOMAIN
from programs.models import (
    Participant,
    Program,
)

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dmitri",
    "Esther",
    "Farid",
    "Gabriela",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Malika",
    "Nikolai",
    "Olivia",
    "Pedro",
    "Qiu",
    "Rania",
    "Stefan",
    "Tanvi",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Arjun",
    "Beatriz",
    "Connor",
    "Daria",
    "Emeka",
    "Freya",
    "Goran",
    "Hana",
    "Ivan",
    "Jana",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Paula",
    "Rui",
    "Sakura",
    "Tariq",
    "Ursula",
    "Valentina",
    "Wojciech",
    "Yara",
    "Zainab",
]
LAST_NAMES = [
    "Adebayo",
    "Bergström",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fernandes",
    "García",
    "Haddad",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Nakamura",
    "Okonkwo",
    "Petrović",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Umarov",
    "Varga",
    "Wójcik",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Andersen",
    "Banerjee",
    "Costa",
    "Delgado",
]

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Engineering": ("Python", "System design", "Code review", "Cloud infrastructure", "Testing"),
    "Product": ("Roadmapping", "User research", "Prioritisation", "Analytics", "Storytelling"),
    "Sales": ("Negotiation", "Account planning", "Forecasting", "Presenting", "CRM"),
    "Marketing": ("Brand strategy", "Content", "SEO", "Campaign analytics", "Storytelling"),
    "Finance": ("Financial modelling", "Budgeting", "Forecasting", "Excel", "Risk"),
    "People": ("Coaching", "Recruiting", "Conflict resolution", "Employment law", "Facilitation"),
    "Operations": ("Process design", "Vendor management", "Lean", "Project management", "Risk"),
}
COMMON_SKILLS = ("Public speaking", "Leadership", "Stakeholder management", "Writing", "Feedback")
INTERESTS = (
    "Becoming a manager",
    "Public speaking",
    "Moving into product",
    "Work-life balance",
    "Technical leadership",
    "Building a network",
    "Negotiating salary",
    "Starting a side project",
    "Cross-functional influence",
)
PLACES = (
    ("London", "Europe/London", ("English",)),
    ("Berlin", "Europe/Berlin", ("German", "English")),
    ("Madrid", "Europe/Madrid", ("Spanish", "English")),
    ("Warsaw", "Europe/Warsaw", ("Polish", "English")),
    ("Lagos", "Africa/Lagos", ("English", "Yoruba")),
    ("New York", "America/New_York", ("English", "Spanish")),
    ("São Paulo", "America/Sao_Paulo", ("Portuguese", "English")),
    ("Singapore", "Asia/Singapore", ("English", "Mandarin")),
    ("Bangalore", "Asia/Kolkata", ("English", "Hindi")),
    ("Remote (Lisbon)", "Europe/Lisbon", ("Portuguese", "English")),
)
TITLES = {
    1: "Associate",
    2: "Junior {dept} specialist",
    3: "{dept} specialist",
    4: "Senior {dept} specialist",
    5: "{dept} lead",
    6: "Head of {dept}",
    7: "VP {dept}",
}


@dataclass(frozen=True)
class DemoProgram:
    name: str
    description: str
    state: str
    starts_on: dt.date
    ends_on: dt.date
    mentors: int
    mentees: int
    invited_share: float  # of the generated people, how many have not accepted yet


DEMO_PROGRAMS = (
    DemoProgram(
        "Emerging Leaders 2026",
        "A nine-month program pairing people who are about to lead a team with experienced "
        "managers from another department.",
        # Its pairs were published ten weeks ago and meet: the seed runs matching, then
        # starts the program, as a coordinator would.
        Program.State.RUNNING,
        dt.date(2026, 10, 1),
        dt.date(2027, 6, 30),
        mentors=10,
        mentees=20,
        invited_share=0.0,
    ),
    DemoProgram(
        "Engineering Guild Mentoring",
        "Engineers at every level learn from each other: architecture, code review, "
        "career growth and moving between teams.",
        Program.State.ENROLLING,
        dt.date(2027, 1, 11),
        dt.date(2027, 12, 17),
        mentors=8,
        mentees=22,
        invited_share=0.3,
    ),
)


def person_make(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        # Bergström -> bergstrom, García -> garcia, Petrović -> petrovic.
        local = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
        email = local.encode("ascii", "ignore").decode() + f"@{DEMO_DOMAIN}"
        if email not in used:
            used.add(email)
            return f"{first} {last}", email


def profile_facts(rng: random.Random, role: str, department: str) -> dict[str, object]:
    seniority = rng.randint(4, 7) if role == Participant.Role.MENTOR else rng.randint(1, 4)
    place, _tz, languages = rng.choice(PLACES)
    skills = rng.sample(DEPARTMENTS[department], k=rng.randint(2, 4)) + rng.sample(
        COMMON_SKILLS, k=rng.randint(0, 2)
    )
    return {
        "job_title": TITLES[seniority].format(dept=department).strip().capitalize()
        if seniority in (2, 3, 4)
        else TITLES[seniority].format(dept=department),
        "department": department,
        "location": place,
        "seniority": seniority,
        "languages": list(languages),
        "skills": skills,
        # Mentees also name skills they want to learn, which mentors' skills can cover.
        "interests": rng.sample(INTERESTS, k=rng.randint(1, 3))
        + (
            rng.sample(COMMON_SKILLS + DEPARTMENTS[rng.choice(list(DEPARTMENTS))], k=2)
            if role == Participant.Role.MENTEE
            else []
        ),
        "career_aspirations": rng.choice(
            (
                "Lead a team within two years.",
                "Grow into a principal individual contributor role.",
                "Move into a cross-functional role.",
                "Build confidence presenting to senior leaders.",
                "Help others grow as I did.",
            )
        ),
    }
