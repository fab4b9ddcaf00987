from django.contrib.auth.decorators import login_required, permission_required


def staff_permission_required(permission: str):
    """Anonymous visitors go to the login page; a signed-in user without the permission gets 403."""

    def decorator(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorator
