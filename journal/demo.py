"""Demo data placeholder; replaced below."""
PASSWORD = "demo-password-1"
LOGINS = []


def seed(db):
    return []
