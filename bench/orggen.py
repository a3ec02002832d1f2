"""A generated county for benchmarks: townships × villages × grids, one grid worker per grid, a dispatch
room and the usual departments in every township with their officers, leaders and a secretary.

    .venv/bin/python bench/orggen.py --townships 10 --villages 6 --grids 5 --officers 5 > county.yaml

Every person has a WeCom id; every third grid worker and every officer also has a DingTalk id.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import yaml

DEPARTMENTS = {  # name → categories it takes by default
    "司法所": ["neighbor", "marriage_family", "debt"],
    "自然资源所": ["land_homestead", "demolition"],
    "劳动保障所": ["labor_wage"],
    "市场监管所": ["consumer"],
    "派出所": ["traffic"],
    "住建办": ["property_mgmt"],
    "生态环境办": ["environment"],
    "卫健办": ["medical"],
    "教育办": ["campus"],
    "信访办": ["other"],
}
TOWN_NAMES = "东西南北中上下前后左右新老大小长永安和平清河山林石"


@dataclass
class County:
    yaml_text: str
    grid_workers: list[str]  # WeCom ids
    grid_workers_dingtalk: list[str]  # DingTalk ids
    officers: list[str]  # WeCom ids
    dispatchers: list[str]  # WeCom ids


def _town(t: int) -> str:
    return TOWN_NAMES[t % len(TOWN_NAMES)] + TOWN_NAMES[(t // len(TOWN_NAMES) + 7) % len(TOWN_NAMES)] + "镇"


def county(townships: int = 10, villages: int = 6, grids: int = 5, officers: int = 5) -> County:
    regions, departments, staff, liaisons = [], [], [], {}
    workers, workers_dt, officer_ids, dispatchers = [], [], [], []
    for t in range(townships):
        town = _town(t)
        children = []
        for v in range(villages):
            village = f"{town}{v + 1}村"
            children.append({"name": village, "level": "village",
                             "children": [{"name": f"{village}第{g + 1}网格", "level": "grid"} for g in range(grids)]})
            for g in range(grids):
                wid = f"g{t}x{v}x{g}"
                person = {"name": f"网格员{t}-{v}-{g}", "roles": ["grid_worker"], "region": f"{town}/{village}/{village}第{g + 1}网格",
                          "wecom": wid}
                if (v * grids + g) % 3 == 0:
                    person["dingtalk"] = f"dt{wid}"
                    workers_dt.append(f"dt{wid}")
                staff.append(person)
                workers.append(wid)
        regions.append({"name": town, "level": "township", "children": children})
        departments.append({"name": "综合信息指挥室", "region": town, "role": "dispatch"})
        staff.append({"name": f"调度员{t}", "roles": ["dispatcher"], "department": f"{town}/综合信息指挥室",
                      "wecom": f"d{t}"})
        dispatchers.append(f"d{t}")
        for d, (dept, categories) in enumerate(DEPARTMENTS.items()):
            departments.append({"name": dept, "region": town, "categories": categories})
            for k in range(officers):
                oid = f"o{t}x{d}x{k}"
                staff.append({"name": f"{dept}干部{t}-{k}", "roles": ["officer"], "department": f"{town}/{dept}",
                              "wecom": oid, "dingtalk": f"dt{oid}"})
                officer_ids.append(oid)
        staff.append({"name": f"副书记{t}", "roles": ["leader"], "region": town, "wecom": f"l{t}"})
        staff.append({"name": f"书记{t}", "roles": ["leader", "secretary"], "region": town, "wecom": f"s{t}"})
        for v in range(villages):
            liaisons[f"{town}/{town}{v + 1}村"] = {"leader": f"副书记{t}", "cadre": f"司法所干部{t}-0"}
    departments.append({"name": "区社会矛盾纠纷调处化解中心", "region": "生成区", "role": "dispatch"})
    staff.append({"name": "区调度员", "roles": ["dispatcher", "admin"], "department": "区社会矛盾纠纷调处化解中心",
                  "wecom": "dq"})
    doc = {
        "center": {"name": "生成区社会矛盾纠纷调处化解中心", "timezone": "Asia/Shanghai"},
        "regions": [{"name": "生成区", "level": "district", "children": regions}],
        "departments": departments,
        "staff": staff,
        "liaisons": liaisons,
        "escalation": {"grid": "1d", "village": "3w", "township": "7w", "district": "15w"},
        "tasks": {"general": {"deadline": "5w", "remind_before": "1d"},
                  "important": {"deadline": "3w", "remind_before": "4h"},
                  "major": {"deadline": "1w", "remind_before": "2h", "escalate_to": "生成区"},
                  "overdue_supervision": "1w"},
        "quiet_hours": "0:00-0:00",  # benchmarks run at any hour
    }
    return County(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), workers, workers_dt, officer_ids,
                  dispatchers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--villages", type=int, default=6)
    parser.add_argument("--grids", type=int, default=5)
    parser.add_argument("--officers", type=int, default=5)
    a = parser.parse_args()
    print(county(a.townships, a.villages, a.grids, a.officers).yaml_text)
