"""The default catalogue from the data contract: regions, dimensions, measures.

config.yaml may relabel anything here and add measures and categories; the
codes themselves are fixed by the contract that member systems are built on.
"""

from __future__ import annotations

NATIONAL = "NZ"  # the scope code of Aotearoa New Zealand as a whole (the regions have theirs below)
NATION = "Aotearoa New Zealand"  # the nation's one name, in every document, page, table and data file

REGIONS: dict[str, str] = {
    "NTL": "Northland",
    "AKL": "Auckland",
    "WKO": "Waikato",
    "BOP": "Bay of Plenty",
    "GIS": "Gisborne",
    "HKB": "Hawke's Bay",
    "TKI": "Taranaki",
    "MWT": "Manawatū-Whanganui",
    "WGN": "Wellington",
    "TAS": "Tasman",
    "NSN": "Nelson",
    "MBH": "Marlborough",
    "WTC": "West Coast",
    "CAN": "Canterbury",
    "OTA": "Otago",
    "STL": "Southland",
}

DIMENSIONS: dict[str, dict] = {
    "age_band": {
        "label": "Age",
        "response": "single",
        "categories": {
            "0_15": "0–15 years", "16_24": "16–24 years", "25_44": "25–44 years",
            "45_64": "45–64 years", "65_plus": "65 years and over", "not_stated": "Not stated",
        },
    },
    "gender": {
        "label": "Gender",
        "response": "single",
        "categories": {
            "female": "Female", "male": "Male", "another_gender": "Another gender",
            "not_stated": "Not stated",
        },
    },
    "ethnicity": {
        "label": "Ethnicity",
        "response": "multiple",
        "note": "Total response: people are counted in every ethnic group they identify "
                "with, so the groups add up to more than the total.",
        "categories": {
            "european": "European", "maori": "Māori", "pacific": "Pacific peoples",
            "asian": "Asian", "melaa": "Middle Eastern, Latin American and African",
            "other": "Other ethnicity", "not_stated": "Not stated",
        },
    },
    "need": {
        "label": "Reason for seeking support",
        "response": "multiple",
        "note": "People can give more than one reason, so the needs add up to more than "
                "the total.",
        "categories": {
            "food": "Food", "housing": "Housing", "income": "Income", "debt": "Debt",
            "family_violence": "Family violence", "mental_health": "Mental health",
            "addiction": "Addiction", "physical_health": "Physical health",
            "employment": "Employment", "education": "Education", "legal": "Legal",
            "immigration": "Immigration", "disability": "Disability", "other": "Other",
        },
    },
    "service_type": {
        "label": "Service type",
        "response": "single",
        "categories": {
            "information_advice": "Information and advice", "advocacy": "Advocacy",
            "counselling": "Counselling", "case_management": "Case management",
            "food_support": "Food support", "financial_capability": "Financial capability",
            "housing_support": "Housing support", "education_skills": "Education and skills",
            "community_engagement": "Community engagement", "group_work": "Group work",
            "not_stated": "Not stated",
        },
    },
    "score_domain": {
        "label": "Outcome domain",
        "response": "pool",
        "groups": {
            "circumstances": ["physical_health", "mental_health", "safety", "family_functioning",
                              "financial_resilience", "material_wellbeing", "housing",
                              "employment", "education", "community_participation"],
            "goals": ["knowledge_access", "skills", "behaviours", "empowerment", "engagement",
                      "crisis_impact"],
            "satisfaction": ["satisfied", "listened", "better_able"],
        },
        "categories": {
            "physical_health": "Physical health", "mental_health": "Mental health",
            "safety": "Safety", "family_functioning": "Family and whānau functioning",
            "financial_resilience": "Financial resilience",
            "material_wellbeing": "Material wellbeing", "housing": "Housing",
            "employment": "Employment", "education": "Education",
            "community_participation": "Community participation",
            "knowledge_access": "Knowledge and access to services", "skills": "Skills",
            "behaviours": "Behaviours", "empowerment": "Empowerment", "engagement": "Engagement",
            "crisis_impact": "Reduced crisis impact", "satisfied": "Satisfied with the service",
            "listened": "Felt listened to", "better_able": "Better able to cope",
        },
    },
}

MEASURES: dict[str, dict] = {
    "clients": {"label": "Clients", "unit": "people seen in the period",
                "dimensions": ["total", "age_band", "gender", "ethnicity", "need"],
                "additive": False},
    "new_clients": {"label": "New clients", "unit": "people seen for the first time",
                    "dimensions": ["total"], "additive": True},
    "sessions": {"label": "Sessions", "unit": "sessions delivered",
                 "dimensions": ["total", "service_type"], "additive": True},
    "unidentified_attendances": {
        "label": "Unidentified attendances",
        "unit": "attendances by people not recorded individually",
        "dimensions": ["total"], "additive": True},
    "outcome_assessed": {"label": "Outcomes assessed",
                         "unit": "people with a start and end assessment",
                         "dimensions": ["score_domain"], "additive": True},
    "outcome_improved": {"label": "Outcome improved", "unit": "people whose rating rose",
                         "dimensions": ["score_domain"], "additive": True},
    "outcome_same": {"label": "Outcome unchanged", "unit": "people whose rating did not change",
                     "dimensions": ["score_domain"], "additive": True},
    "outcome_declined": {"label": "Outcome declined", "unit": "people whose rating fell",
                         "dimensions": ["score_domain"], "additive": True},
    "staff_hours": {"label": "Staff hours", "unit": "hours worked by paid staff",
                    "dimensions": ["total"], "additive": True, "kind": "hours"},
    "volunteer_hours": {"label": "Volunteer hours", "unit": "hours given by volunteers",
                        "dimensions": ["total"], "additive": True, "kind": "hours"},
}
