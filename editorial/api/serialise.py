"""How domain objects look in JSON."""
from editorial.models import User


def user_brief(user: User) -> dict:
    return {"id": user.id, "name": user.name, "credentials": user.credentials}


def user_full(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": [role.value for role in user.sorted_roles],
        "active": user.is_active_account,
        "credentials": user.credentials,
        "specialty": user.specialty,
        "affiliation": user.affiliation,
        "disclosure": user.disclosure,
        "credential_valid_until": user.credential_valid_until.isoformat() if user.credential_valid_until else None,
    }
