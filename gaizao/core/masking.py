"""Personal data masking (个人信息保护法): shown whole only to roles that need it."""


def mask_name(name: str) -> str:
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    digits = phone or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask_id_number(value: str) -> str:
    v = value or ""
    if len(v) < 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]
