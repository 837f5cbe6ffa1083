"""Write ``docs/reception-flow.md`` from the flow's own tables, so the picture cannot drift from the machine.

The diagram is drawn from :data:`firmware.reception.TRANSITIONS`, the table the flow checks every transition against;
the reference sections list the states, events, actions and screens from the code. ``tests/firmware`` fails when the
committed file differs from what this module writes.

    python -m firmware.reception.diagram            # print the document
    python -m firmware.reception.diagram --write    # rewrite docs/reception-flow.md
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import sys
import types
import typing
from pathlib import Path

from firmware.reception import actions as reception_actions
from firmware.reception import (
    AFTER_SESSION,
    DECISIONS,
    HANDLED_EVENTS,
    PRE_SESSION,
    RESTING,
    SCREEN_OF_STATE,
    SESSION,
    STEP_TIMEOUTS,
    TRANSITIONS,
    State,
    StateGroup,
    TransitionTable,
)
from firmware.reception.config import FlowConfig
from firmware.reception.screens import SCREEN_CLASSES, Screen

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "reception-flow.md"
REST_NODE = "back_to_rest"
_FORBIDDEN_IN_LABELS = set(':;#{}"')


def _label(text: str) -> str:
    bad = _FORBIDDEN_IN_LABELS & set(text)
    if bad:
        raise ValueError(f"transition label {text!r} has characters Mermaid reads as syntax: {sorted(bad)}")
    return text


def mermaid(table: TransitionTable = TRANSITIONS) -> str:
    """The state diagram as Mermaid ``stateDiagram-v2`` source."""
    lines = ["stateDiagram-v2"]
    groups: dict[str, StateGroup] = {}
    for shared in table.shared:
        groups.setdefault(shared.group.name, shared.group)
    for group in groups.values():
        lines.append(f'    state "{group.title}" as {group.name}')
    lines.append(f"    state {REST_NODE} <<choice>>")
    lines.append(f"    [*] --> {State.HOST_NOT_CONNECTED.value} : power on")
    lines.append(f"    {REST_NODE} --> {State.OUT_OF_SERVICE.value} : out of service or a persistent fault")
    lines.append(f"    {REST_NODE} --> {State.HOST_NOT_CONNECTED.value} : host not connected")
    lines.append(f"    {REST_NODE} --> {State.IDLE.value} : otherwise")
    for t in table.transitions:
        lines.append(f"    {t.source.value} --> {t.target.value} : {_label(t.label)}")
    for t in table.to_rest:
        lines.append(f"    {t.source.value} --> {REST_NODE} : {_label(t.label)}")
    for shared in table.shared:
        lines.append(f"    {shared.group.name} --> {shared.target.value} : {_label(shared.label)}")
    lines.append("    classDef group fill:#f4f4f4,stroke:#888,stroke-dasharray: 4 4")
    lines.append(f"    class {','.join(groups)} group")
    return "\n".join(lines) + "\n"


def _phase(state: State) -> str:
    if state in RESTING:
        return "resting"
    if state in PRE_SESSION:
        return "before a card"
    if state in SESSION:
        return "session"
    assert state in AFTER_SESSION
    return "after a session"


def _timeout_text(state: State, config: FlowConfig) -> str:
    name = STEP_TIMEOUTS.get(state)
    if name is not None:
        return f"`{name}` ({getattr(config.timeouts, name):g} s)"
    if state in AFTER_SESSION:
        t = config.timeouts
        return f"`forgotten_after` ({t.forgotten_after:g} s) with the card there, else `notice` ({t.notice:g} s)"
    return "—"


def _doc_line(obj: object) -> str:
    """The first paragraph of a docstring, as Markdown on one line."""
    doc = inspect.getdoc(obj) or ""
    first = doc.split("\n\n")[0].replace("\n", " ").strip()
    first = re.sub(r":(?:class|attr|func|meth|data):`~?([^`]+)`", r"`\1`", first).replace("``", "`")
    return first.replace("|", "\\|")


def _type_name(tp: object) -> str:
    """``int | None``, ``tuple[str, ...]``, ``CardKind``: short names, as a reader of the table wants them."""
    args = typing.get_args(tp)
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        return " | ".join(_type_name(a) for a in args)
    if typing.get_origin(tp) is tuple:
        return "tuple[" + ", ".join("..." if a is Ellipsis else _type_name(a) for a in args) + "]"
    if tp is type(None):
        return "None"
    return str(getattr(tp, "__name__", tp))


def _fields(cls: type) -> str:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in ("language", "options")]
    return ", ".join(f"`{n}: {_type_name(hints[n])}`".replace("|", "\\|") for n in names) or "—"


def _classes(module: object, base: type) -> list[type]:
    found = [obj for _, obj in inspect.getmembers(module, inspect.isclass)
             if issubclass(obj, base) and obj is not base and obj.__module__ == getattr(module, "__name__", "")
             and dataclasses.is_dataclass(obj)]  # fmt: skip
    return sorted(found, key=lambda c: inspect.getsourcelines(c)[1])


def document(table: TransitionTable = TRANSITIONS) -> str:
    config = FlowConfig()
    out: list[str] = []
    add = out.append
    add("# The reception flow")
    add("")
    add("<!-- Generated by `python -m firmware.reception.diagram --write` from firmware/reception/ and its")
    add("     siblings. Do not edit by hand: a test fails when this file differs from the code. -->")
    add("")
    add("The reception flow (`firmware/reception/`) is a pure state machine: the daemon feeds it events and the")
    add("monotonic time, and carries out the actions it returns. Its states are the names the line protocol sends;")
    add("each state shows one screen of the catalogue (`firmware/reception/screens.py`). The flow refuses any transition this")
    add("diagram does not show. The rules behind it, in words: [reader-flow.md](reader-flow.md).")
    add("")
    add("Dashed boxes stand for every state of a group (listed below); `back_to_rest` goes to the resting state that")
    add("applies. A session starts at `reading_card` and ends with exactly one `DropSession` action.")
    add("")
    add("## Decisions where the rules are silent")
    add("")
    out.extend(f"- {decision}" for decision in DECISIONS)
    add("")
    add("## State diagram")
    add("")
    add("```mermaid")
    out.extend(mermaid(table).rstrip("\n").split("\n"))
    add("```")
    add("")
    add("## States")
    add("")
    add("Timeouts are the defaults of `FlowConfig().timeouts`; any accepted input restarts a patient step's clock.")
    add("")
    add("| state (protocol name) | phase | screen | timeout |")
    add("|---|---|---|---|")
    for state in State:
        add(f"| `{state.value}` | {_phase(state)} | `{SCREEN_OF_STATE[state].value}` | {_timeout_text(state, config)} |")
    add("")
    add("## Groups")
    add("")
    add("| group | states |")
    add("|---|---|")
    seen: set[str] = set()
    for shared in table.shared:
        group = shared.group
        if group.name in seen:
            continue
        seen.add(group.name)
        members = ", ".join(f"`{s.value}`" for s in State if s in group.members)
        add(f"| {group.title} (`{group.name}`) | {members} |")
    add("")
    add("## Events (daemon → flow)")
    add("")
    add("| event | fields | meaning |")
    add("|---|---|---|")
    for cls in HANDLED_EVENTS:
        add(f"| `{cls.__name__}` | {_fields(cls)} | {_doc_line(cls)} |")
    add("")
    add("## Actions (flow → daemon)")
    add("")
    add("| action | fields | meaning |")
    add("|---|---|---|")
    for action_cls in _classes(reception_actions, reception_actions.Action):
        if action_cls is reception_actions.Request:
            continue
        add(f"| `{action_cls.__name__}` | {_fields(action_cls)} | {_doc_line(action_cls)} |")
    add("")
    add("## Screens")
    add("")
    add("Every screen also has `language` (`ja` / `en`) and `options` (the choices on its buttons).")
    add("")
    add("| screen id | class | parameters | what it shows |")
    add("|---|---|---|---|")
    for screen_cls in SCREEN_CLASSES:
        assert issubclass(screen_cls, Screen)
        add(f"| `{screen_cls.id.value}` | `{screen_cls.__name__}` | {_fields(screen_cls)} | {_doc_line(screen_cls)} |")
    add("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m firmware.reception.diagram", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {DOC_PATH.name} instead of printing")
    args = parser.parse_args(argv)
    text = document()
    if args.write:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
