#!/usr/bin/env python3
"""Fails when modules of src/ import each other in a cycle.

Arrows are read from `crate::a::b` and `super::x` paths (test modules and
*_tests.rs files left out), between sibling modules at every level: `api`
-> `services` at the top, `store::processing` -> `store::batch` inside the
store. The layers must form a tree of one-way arrows, so a cycle anywhere is
an error. Used by .ci/run.
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def module_path(path):
    parts = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    return parts[:-1] if parts[-1] in ("mod", "lib", "main") else parts


def arrows():
    files = {}
    for folder, _, names in os.walk(ROOT):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(folder, name)
                files[path] = module_path(path)
    modules = {"::".join(m[: i + 1]) for m in files.values() for i in range(len(m))}
    found = set()
    for path, here in files.items():
        if path.endswith("_tests.rs") or path.endswith(os.sep + "tests.rs"):
            continue
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", text, flags=re.S)
        text = re.sub(r"//.*", "", text)
        targets = [m.group(1).split("::") for m in re.finditer(r"crate::([a-z_]+(?:::[a-z_]+)*)", text)]
        for m in re.finditer(r"\b((?:super::)+)([a-z_]+(?:::[a-z_]+)*)", text):
            ups = m.group(1).count("super::")
            targets.append(here[: len(here) - ups] + m.group(2).split("::"))
        for target in targets:
            common = 0
            while common < min(len(here), len(target)) and here[common] == target[common]:
                common += 1
            if common < len(here) and common < len(target):
                a = "::".join(here[: common + 1])
                b = "::".join(target[: common + 1])
                if a in modules and b in modules:
                    found.add((a, b))
    return found


def cycles(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def main():
    edges = arrows()
    found = cycles(edges)
    for component in found:
        members = set(component)
        print("modules that import each other: " + ", ".join(component), file=sys.stderr)
        for a, b in sorted(edges):
            if a in members and b in members:
                print(f"  {a} -> {b}", file=sys.stderr)
    if found:
        return 1
    print(f"no import cycles among the modules of src/ ({len(edges)} arrows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
