"""Our DingTalk card template, the 高级版 export that an org imports at 卡片平台 → 导入 (card_template.json,
shaped like the exports in open-dingtalk/dingtalk-card-examples: {"editorData": "<JSON: schemaVersion, schema
{componentsMap, componentsTree}, variableList, …>", "type": "im", "mode": "card"}).

Read here for what it declares: the variables a cardParamMap may carry, and what each button sends back on a
click (its params, bound to variables). The fake DingTalk checks every card against the same file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("card_template.json")
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Template:
    variables: dict[str, str]  # name → type (string, loopArray, …)
    loop_items: dict[str, frozenset[str]]  # loopArray name → the item keys it declares
    button_params: dict[str, str]  # click param name → the loop item key it is bound to (buttons[0].<key>)
    button_list: str  # the loopArray the buttons are drawn from
    components: frozenset[str]
    referenced: frozenset[str]  # every ${variable} the components use (loop.* excluded)


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("children") or []:
        if isinstance(child, dict):
            out += _walk(child)
    return out


def _bound(value: Any) -> list[str]:
    """Global variables a component binds to (loop lists, selects, visibility conditions)."""
    out: list[str] = []
    if isinstance(value, dict):
        if value.get("variableType") == "global" and value.get("variable"):
            out.append(str(value["variable"]).split(".")[0])
        for v in value.values():
            out += _bound(v)
    elif isinstance(value, list):
        for v in value:
            out += _bound(v)
    return out


def parse(export: dict[str, Any]) -> Template:
    editor = json.loads(export["editorData"])
    schema = editor["schema"]
    nodes = [n for root in schema["componentsTree"] for n in _walk(root)]
    variables = {v["name"]: v["type"] for v in editor["variableList"]}
    items = {v["name"]: frozenset(s["name"] for s in v.get("schema") or []) for v in editor["variableList"]
             if v["type"] == "loopArray"}
    params: dict[str, str] = {}
    button_list = ""
    for n in nodes:
        if n["componentName"] != "SingleButton" or n["props"].get("actionType") != "request":
            continue
        for p in n["props"].get("params") or []:
            if p.get("type") == "variable" and p.get("name"):
                source, _, key = str(p["variable"]).partition("[0].")
                params[p["name"]], button_list = key or source, source
    referenced = {m for n in nodes for m in _REF.findall(json.dumps(n["props"], ensure_ascii=False))} - {"loop"}
    referenced |= {v for n in nodes for v in _bound(n["props"])}
    return Template(variables, items, params, button_list, frozenset(n["componentName"] for n in nodes),
                    frozenset(referenced))


@cache
def ours() -> Template:
    return parse(json.loads(PATH.read_text(encoding="utf-8")))


def problems(template: Template, params: dict[str, Any]) -> list[str]:
    """What is wrong with a cardParamMap for this template (empty when nothing is)."""
    out = [f"{k}: not a variable of the template" for k in params if k not in template.variables]
    out += [f"{k}: value is not a string" for k, v in params.items() if not isinstance(v, str)]
    for name, keys in template.loop_items.items():
        raw = params.get(name)
        if not isinstance(raw, str):
            continue
        try:
            rows = json.loads(raw)
        except ValueError:
            out.append(f"{name}: not a JSON array")
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            out.append(f"{name}: not a JSON array of objects")
            continue
        out += [f"{name}[].{k}: not declared" for r in rows for k in r if k not in keys]
    return out
