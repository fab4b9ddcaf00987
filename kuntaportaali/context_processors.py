from .sections import sections_for


def navigation(request):
    return {"staff_sections": sections_for(request.user)}
