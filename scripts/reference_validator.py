"""A reference verdict on FHIR R4 DocumentReferences, for the service's
validator tests: fhir.resources 6.5.0 (the last release modelling R4 4.0.1,
pydantic models generated from the R4 StructureDefinitions).

Reads one JSON document per line on stdin; writes one line per document:
`valid`, or `invalid<TAB>` and the first problem it names."""

import json
import sys

from fhir.resources.documentreference import DocumentReference


def verdict(line):
    try:
        DocumentReference.parse_obj(json.loads(line))
        return "valid"
    except Exception as error:  # pydantic.ValidationError, or a bad document
        first = str(error).replace("\n", " | ")
        return "invalid\t" + first[:300]


for line in sys.stdin:
    print(verdict(line))
