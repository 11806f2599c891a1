"""Why each compound is in its batch or left out, from the batch's marginal prices.

At the LP prices (the dual of the final core LP) a compound's worth in batch t is
weight_t × score; its price there is what it uses of the batch's scarce rows:
  μ_t × cost (budget) + ν_t × extension households (extension cap)
  + π_st (its street's cap) − λ_t × area (the area floor pays for area).
A compound is in when worth ≥ price in its batch (and that batch beats the others),
out when every batch's price exceeds its worth. Where the exact solve decided
against the prices (a compound right at the threshold) the text says so.
"""

from __future__ import annotations

import numpy as np

from .model import Result

LABEL = {
    "budget": "预算",
    "extension_cap": "扩展范围户数上限",
    "street_cap": "街道同时施工上限",
    "area_target": "面积目标",
    "locked": "锁定",
}


def explain(result: Result) -> dict:
    """compound id → {period, status, worth, price, parts, binding, score_per_10k_yuan, text}."""
    P = result.stats.get("_problem")
    y = result.stats.get("_prices")
    assign = result.stats.get("_assign")
    if P is None or y is None or assign is None:
        return {}
    inst = P.inst
    ss = P.ss
    r = P.reduced(y)
    worth = P.profit() * ss
    spen = P.street_pen(y.pi) * ss
    parts_all = {
        "budget": P.c[:, None] * y.mu[None, :] * ss,
        "extension_cap": P.h[:, None] * y.nu[None, :] * ss,
        "street_cap": spen,
        "area_target": -P.a[:, None] * y.lam[None, :] * ss,
    }
    out = {}
    for i in range(P.n):
        t = int(assign[i])
        best_t = int(np.argmax(r[i]))
        tt = t if t >= 0 else best_t
        parts = {k: round(float(v[i, tt]), 4) for k, v in parts_all.items()}
        price = float(sum(parts.values()))
        w = float(worth[i, tt])
        costs = [k for k in ("budget", "extension_cap", "street_cap") if parts[k] > 0]
        binding = max(costs, key=lambda k: parts[k]) if costs else None
        pid = inst.periods[tt].id
        cluster = len(P.members[i]) > 1
        if P.lock[i] >= 0:
            status, text = "locked", f"锁定在批次 {pid}"
        elif t >= 0:
            status = "in"
            if w >= price - 1e-9 * max(1.0, abs(w)):
                text = f"入选批次 {pid}：加权得分 {w:.2f} 不低于本批次的边际价格 {price:.2f}"
                if t != best_t:
                    text += (
                        f"（按价格批次 {inst.periods[best_t].id} 略优，精确求解为满足约束放在此批）"
                    )
            else:
                text = (
                    f"入选批次 {pid}：加权得分 {w:.2f} 略低于边际价格 {price:.2f}，"
                    "处在边际上，精确求解为达到面积目标或用足预算选入"
                )
        else:
            status = "out"
            if w < price:
                main = LABEL.get(binding, "价格") if binding else "价格"
                text = (
                    f"未入选：即使在最有利的批次 {pid}，加权得分 {w:.2f} 也低于边际价格 {price:.2f}，"
                    f"主要受{main}约束"
                )
            else:
                room = LABEL.get(binding, "预算") if binding else "预算"
                text = (
                    f"未入选：在批次 {pid} 加权得分 {w:.2f} 高于边际价格 {price:.2f}，"
                    f"但整数方案中该批次的{room}已无余量放下它（精确求解的取舍）"
                )
        if cluster:
            text += "；与同一片区的小区一起安排"
        cost = float(P.cost_raw[i])
        for j in P.members[i]:
            c = inst.compounds[j]
            out[c.id] = {
                "period": inst.periods[t].id if t >= 0 else None,
                "status": status,
                "worth": round(w, 4),
                "price": round(price, 4),
                "parts": parts,
                "binding": binding,
                "score_per_10k_yuan": round(1e4 * c.score / c.cost_yuan, 4)
                if c.cost_yuan
                else None,
                "item_score_per_10k_yuan": round(1e4 * float(P.s[i]) * ss / cost, 4)
                if cost
                else None,
                "text": text,
            }
    return out
