#!/usr/bin/env python3
"""Checks the FHIR export with an independent validator (fhir.resources' R4B models,
which match R4 for Questionnaire and QuestionnaireResponse). For every questionnaire the
server offers, in both languages and for several answer sets, the Questionnaire and the
QuestionnaireResponse must parse as valid resources, and every response item must
conform to its Questionnaire: an item with that linkId and type, a coding that is one of
its answer options, the scores as read-only calculated items, and every required item
answered. Usage: fhir-check.py path/to/anxin"""
import json
import subprocess
import sys
import tempfile

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

anxin = sys.argv[1]
empty = tempfile.mkdtemp()


def run(*args):
    done = subprocess.run([anxin, *args, "--data-dir", empty], check=True, capture_output=True, text=True)
    return done.stdout


def answer_sets(values):
    """The lowest answers, the highest, and a mixture, from each item's possible values."""
    yield "lowest", [scale[0] for scale in values]
    yield "highest", [scale[-1] for scale in values]
    yield "mixed", [scale[i % len(scale)] for i, scale in enumerate(values)]


def check(where, pair):
    problems = []
    try:
        questionnaire = Questionnaire.model_validate(pair["questionnaire"])
        response = QuestionnaireResponse.model_validate(pair["response"])
    except Exception as error:  # the validator's message says what is wrong
        return [f"{where}: not valid FHIR R4: {error}"]
    items = {i.linkId: i for i in questionnaire.item}
    answered = set()
    for item in response.item:
        definition = items.get(item.linkId)
        if definition is None:
            problems.append(f"{where}: response item {item.linkId} is not in the questionnaire")
            continue
        answered.add(item.linkId)
        for answer in item.answer or []:
            if definition.type == "choice":
                options = [(o.valueCoding.system, o.valueCoding.code) for o in definition.answerOption or []]
                given = (answer.valueCoding.system, answer.valueCoding.code) if answer.valueCoding else None
                if given not in options:
                    problems.append(f"{where}: {item.linkId} answers {given}, not one of its options")
            elif definition.type == "decimal":
                calculated = any(
                    e.url.endswith("sdc-questionnaire-calculatedExpression") for e in definition.extension or []
                )
                if answer.valueDecimal is None or not definition.readOnly or not calculated:
                    problems.append(f"{where}: score {item.linkId} is not a calculated read-only decimal")
            else:
                problems.append(f"{where}: {item.linkId} has type {definition.type}")
    for link, definition in items.items():
        if definition.required and link not in answered:
            problems.append(f"{where}: required item {link} is not answered")
    if response.questionnaire.split("|")[0] != questionnaire.url:
        problems.append(f"{where}: the response names another questionnaire")
    return problems


problems = []
checked = 0
ids = [line.split("\t")[0] for line in run("instruments", "list").splitlines()]
assert {"phq9", "gad7", "phq4", "k10", "who5"} <= set(ids), ids
for instrument in ids:
    values = json.loads(run("instruments", "values", instrument))
    for lang in ("zh-CN", "en"):
        for pick, answers in answer_sets(values):
            pair = json.loads(run("instruments", "fhir", instrument, "--answers", ",".join(map(str, answers)), "--lang", lang))
            problems += check(f"{instrument} {lang} {pick}", pair)
            checked += 1
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"FHIR export: {checked} Questionnaire/QuestionnaireResponse pairs valid and conformant")
