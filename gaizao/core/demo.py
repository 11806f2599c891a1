"""The demo district: each app may have a `demo.py` with `seed(ctx)`; the
`gaizao demo` command runs the ordered steps listed in gaizao/site/demo.py
inside one transaction. Deterministic: every random choice comes from `ctx.rng`."""

import random
from dataclasses import dataclass, field

DEMO_PASSWORD = "gaizao2020"


@dataclass
class Login:
    role: str  # 角色 as the person would say it
    username: str
    password: str
    sees: str  # what this login is for


@dataclass
class DemoContext:
    seed: int = 2020
    compounds: int = 400
    rng: random.Random = field(init=False)
    logins: list[Login] = field(default_factory=list)
    # Anything an app wants to hand to the apps seeded after it.
    shared: dict = field(default_factory=dict)
    out: object = None  # a writer with .write(str), or None

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def say(self, msg: str) -> None:
        if self.out is not None:
            self.out.write(msg)

    def add_login(self, role: str, username: str, sees: str, password: str = DEMO_PASSWORD):
        """One line per username; a second app naming the same login adds what it is for."""
        for lg in self.logins:
            if lg.username == username:
                if sees not in lg.sees:
                    lg.sees = f"{lg.sees};{sees}"
                return
        self.logins.append(Login(role, username, password, sees))
