"""The child process that runs the optimiser (no Django in here: it is
started with the "spawn" method and imports only the pure optimiser). The
parent kills it on cancel or when it overruns its wall-clock limit."""

from gaizao.programme.optimiser import explain, instance_from_dict, solve


def child(instance: dict, time_limit: float, conn) -> None:
    try:
        result = solve(instance_from_dict(instance), time_limit=time_limit)
        out = result.as_dict()
        out["explanations"] = {str(k): v for k, v in explain(result).items()}
        conn.send(("ok", out))
    except Exception as e:  # reported to the parent, shown on the run
        conn.send(("error", f"{e.__class__.__name__}: {e}"))
    finally:
        conn.close()
